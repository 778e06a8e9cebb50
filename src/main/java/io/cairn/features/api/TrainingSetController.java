package io.cairn.features.api;

import io.cairn.platform.security.Access;
import io.cairn.tracking.RunService;
import io.cairn.platform.security.Permission;
import io.cairn.platform.security.ResourceType;
import io.cairn.features.SavedTrainingSet;
import io.cairn.features.TrainingSets;
import io.cairn.features.TrainingSets.Format;
import io.cairn.features.TrainingSets.Sink;
import io.cairn.features.TrainingSets.Spec;
import io.cairn.platform.error.CairnApi;
import io.cairn.platform.error.CairnException;
import io.cairn.tracking.DatasetInput;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /api/v1/training-sets}: point-in-time correct training sets from JSON or CSV entity rows, answered as
 * JSON or, with {@code Accept: text/csv}, streamed CSV; saved sets are read back under
 * {@code /api/v1/training-sets/{id or name}}.
 */
@RestController
@CairnApi
class TrainingSetController {

    private final TrainingSets trainingSets;
    private final RunService runs;
    private final Access access;
    private final JsonMapper json;

    TrainingSetController(TrainingSets trainingSets, RunService runs, Access access, JsonMapper json) {
        this.trainingSets = trainingSets;
        this.runs = runs;
        this.access = access;
        this.json = json;
    }

    /** Saved sets carry their own permission, keyed by name; the set is looked up only when security asks. */
    private void requireOnSet(String idOrName, Permission needed) {
        if (access.enabled()) {
            access.require(ResourceType.TRAINING_SET, trainingSets.saved(idOrName).name(), needed);
        }
    }

    /** The saved training sets, newest first. */
    record TrainingSetList(List<SavedTrainingSet> training_sets) {
    }

    @PostMapping(path = "/api/v1/training-sets", consumes = MediaType.APPLICATION_JSON_VALUE)
    void fromJson(HttpServletRequest request, HttpServletResponse response,
                  @RequestHeader(name = "Accept", required = false) String accept) throws IOException {
        trainingSets.fromJson(new TrainingSetJsonRequest(request.getInputStream(), json), format(accept),
                sink(response));
    }

    @PostMapping(path = "/api/v1/training-sets", consumes = "text/csv")
    void fromCsv(HttpServletRequest request, HttpServletResponse response,
                 @RequestHeader(name = "Accept", required = false) String accept,
                 @RequestParam(name = "features") String features,
                 @RequestParam(name = "full_feature_names", defaultValue = "false") boolean fullFeatureNames,
                 @RequestParam(name = "save_as", required = false) String saveAs) throws IOException {
        List<String> refs = Arrays.stream(features.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        trainingSets.fromCsv(request.getInputStream(), new Spec(refs, fullFeatureNames, saveAs), format(accept),
                sink(response));
    }

    @GetMapping("/api/v1/training-sets")
    TrainingSetList list() {
        return new TrainingSetList(access.readable(ResourceType.TRAINING_SET, trainingSets.saved(),
                SavedTrainingSet::name));
    }

    @GetMapping("/api/v1/training-sets/{idOrName}")
    SavedTrainingSet get(@PathVariable String idOrName) {
        SavedTrainingSet set = trainingSets.saved(idOrName);
        access.require(ResourceType.TRAINING_SET, set.name(), Permission.READ);
        return set;
    }

    @GetMapping("/api/v1/training-sets/{idOrName}/rows")
    void rows(@PathVariable String idOrName, HttpServletResponse response,
              @RequestHeader(name = "Accept", required = false) String accept) {
        requireOnSet(idOrName, Permission.READ);
        trainingSets.savedRows(idOrName, format(accept), sink(response));
    }

    /** The body of {@code log-to-run}. */
    record LogToRun(String run_id, String context) {
    }

    /** The dataset input that was logged. */
    record Logged(String run_id, DatasetInput input) {
    }

    @PostMapping("/api/v1/training-sets/{idOrName}/log-to-run")
    Logged logToRun(@PathVariable String idOrName, @RequestBody LogToRun body) {
        if (body.run_id() == null || body.run_id().isBlank()) {
            throw CairnException.invalid("run_id is required: the run that trained on this set.");
        }
        requireOnSet(idOrName, Permission.READ);
        access.require(ResourceType.EXPERIMENT, () -> runs.getInfo(body.run_id()).experimentId(), Permission.EDIT);
        return new Logged(body.run_id(), trainingSets.logToRun(idOrName, body.run_id(), body.context()));
    }

    /** CSV when the client asks for it before (or instead of) JSON; JSON otherwise. */
    static Format format(String accept) {
        if (accept == null) {
            return Format.JSON;
        }
        int csv = accept.indexOf("text/csv");
        int json = accept.indexOf("application/json");
        return csv >= 0 && (json < 0 || csv < json) ? Format.CSV : Format.JSON;
    }

    private static Sink sink(HttpServletResponse response) {
        return (status, contentType, headers) -> {
            response.setStatus(status);
            response.setContentType(contentType);
            response.setCharacterEncoding("UTF-8");
            headers.forEach(response::setHeader);
            return response.getOutputStream();
        };
    }
}
