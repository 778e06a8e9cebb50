package io.cairn.web;

import io.cairn.serving.DeploymentView;
import java.util.List;
import java.util.Map;

/** Every deployment the user may read, with this replica's live figures for each. */
public record DeploymentList(List<DeploymentView> deployments, Map<String, LiveMeters.Live> live) {
}
