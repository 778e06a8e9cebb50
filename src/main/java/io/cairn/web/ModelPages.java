package io.cairn.web;

import io.cairn.platform.error.CairnException;
import io.cairn.platform.search.Page;
import io.cairn.platform.search.PageToken;
import io.cairn.platform.security.Access;
import io.cairn.platform.security.Permission;
import io.cairn.platform.security.ResourceType;
import io.cairn.registry.ModelRegistry;
import io.cairn.registry.ModelVersion;
import io.cairn.registry.ModelVersions;
import io.cairn.registry.RegisteredModel;
import io.cairn.registry.card.CardRevision;
import io.cairn.registry.card.ModelCards;
import io.cairn.serving.DeploymentCatalog;
import io.cairn.tracking.RunInfo;
import io.cairn.tracking.RunService;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /models}: registered models, a model's versions and aliases (moving one after a confirmation that shows what
 * will be served), and a version's page with its card, edited in place.
 */
@Controller
@DashboardPage
class ModelPages {

    private static final int MODELS_PER_PAGE = 50;
    private static final int VERSIONS_SHOWN = 100;

    private final ModelRegistry registry;
    private final ModelVersions versions;
    private final ModelCards cards;
    private final DeploymentCatalog deployments;
    private final RunService runs;
    private final Access access;
    private final JsonMapper json;

    ModelPages(ModelRegistry registry, ModelVersions versions, ModelCards cards, DeploymentCatalog deployments,
               RunService runs, Access access, JsonMapper json) {
        this.registry = registry;
        this.versions = versions;
        this.cards = cards;
        this.deployments = deployments;
        this.runs = runs;
        this.access = access;
        this.json = json;
    }

    @GetMapping("/models")
    String list(@RequestParam(required = false) String q, @RequestParam(defaultValue = "1") int page, Model model,
                HttpServletResponse response) {
        int p = RunsPages.page(page);
        String query = q == null ? "" : q.strip();
        String filter = Format.nameContains(query);
        Page<RegisteredModel> found;
        String error = null;
        try {
            found = registry.search(filter, List.of("last_updated_timestamp DESC"), MODELS_PER_PAGE,
                    PageToken.next(0, (p - 1) * MODELS_PER_PAGE, p > 1));
        } catch (CairnException e) {
            found = new Page<>(List.of(), null);
            error = e.getMessage();
            response.setStatus(e.code().httpStatus());
        }
        List<RegisteredModel> visible = access.readable(ResourceType.REGISTERED_MODEL, found.items(),
                RegisteredModel::name);
        model.addAttribute("list", new ModelList(query, visible, p, found.nextPageToken() != null, error));
        return "models";
    }

    @GetMapping("/models/{name}")
    String model(@PathVariable String name, @RequestParam(required = false) String moved, Model model) {
        access.require(ResourceType.REGISTERED_MODEL, name, Permission.READ);
        RegisteredModel registered = registry.get(name);
        Page<ModelVersion> page = versions.search("name = '" + name.replace("'", "\\'") + "'",
                List.of("version_number DESC"), VERSIONS_SHOWN, null);
        model.addAttribute("view", new ModelView(registered, page.items(), page.nextPageToken() != null,
                uses(name), moved));
        return "model";
    }

    /** The confirmation: what the alias points to now, what it will, and which deployments will follow it. */
    @GetMapping("/models/{name}/aliases/confirm")
    String confirmAlias(@PathVariable String name, @RequestParam String alias, @RequestParam String version,
                        Model model) {
        access.require(ResourceType.REGISTERED_MODEL, name, Permission.EDIT);
        RegisteredModel registered = registry.get(name);
        int target = versions.get(name, version).version();
        String key = alias.strip();
        List<ModelView.DeploymentUse> affected = uses(name).stream().filter(u -> u.alias().equals(key)).toList();
        model.addAttribute("change", new AliasChange(name, key, registered.aliases().get(key), target, affected));
        return "alias-confirm";
    }

    @PostMapping("/models/{name}/aliases")
    String setAlias(@PathVariable String name, @RequestParam String alias, @RequestParam String version) {
        access.require(ResourceType.REGISTERED_MODEL, name, Permission.EDIT);
        registry.setAlias(name, alias.strip(), version);
        return "redirect:/models/" + Format.segment(name) + "?moved=" + Format.query(alias.strip());
    }

    @GetMapping("/models/{name}/versions/{version}")
    String version(@PathVariable String name, @PathVariable String version, Model model) {
        access.require(ResourceType.REGISTERED_MODEL, name, Permission.READ);
        ModelVersion v = versions.get(name, version);
        String runName = null;
        String experimentId = null;
        if (v.runId() != null && !v.runId().isEmpty()) {
            try {
                RunInfo run = runs.getInfo(v.runId());
                if (access.allows(ResourceType.EXPERIMENT, run.experimentId(), Permission.READ)) {
                    runName = Format.runName(run);
                    experimentId = run.experimentId();
                }
            } catch (CairnException e) {
                // The run was deleted for good or lives elsewhere: the version keeps its run id.
            }
        }
        CardRevision card = cards.current(name, v.version());
        List<ModelView.DeploymentUse> serving = uses(name).stream()
                .filter(u -> v.aliases().contains(u.alias())).toList();
        model.addAttribute("view", new VersionView(v, runName, experimentId, card, cards.history(name, v.version()),
                serving));
        return "version";
    }

    /** The card's human fields as a form (an htmx fragment swapped in place of the card). */
    @GetMapping("/models/{name}/versions/{version}/card/edit")
    String editCard(@PathVariable String name, @PathVariable String version, Model model) {
        access.require(ResourceType.REGISTERED_MODEL, name, Permission.EDIT);
        ModelVersion v = versions.get(name, version);
        model.addAttribute("edit", new CardEdit(v.name(), v.version(), CardForm.of(cards.current(name, v.version())
                .card()), null));
        return "card-edit";
    }

    /** Saves the form as a new card revision; htmx gets the re-rendered card, a plain form post the page. */
    @PostMapping("/models/{name}/versions/{version}/card")
    String saveCard(@PathVariable String name, @PathVariable String version,
                    @RequestParam(defaultValue = "") String overview,
                    @RequestParam(defaultValue = "") String documentation,
                    @RequestParam(defaultValue = "") String owners, @RequestParam(defaultValue = "") String users,
                    @RequestParam(defaultValue = "") String useCases,
                    @RequestParam(defaultValue = "") String limitations,
                    @RequestParam(defaultValue = "") String tradeoffs, HttpServletRequest request,
                    HttpServletResponse response, Model model) {
        access.require(ResourceType.REGISTERED_MODEL, name, Permission.EDIT);
        ModelVersion v = versions.get(name, version);
        CardForm form = new CardForm(overview, documentation, owners, users, useCases, limitations, tradeoffs);
        boolean htmx = "true".equals(request.getHeader("HX-Request"));
        CardRevision saved;
        try {
            saved = cards.edit(name, v.version(), form.patch());
        } catch (CairnException e) {
            if (!htmx) {
                throw e;
            }
            response.setStatus(e.code().httpStatus());
            model.addAttribute("edit", new CardEdit(v.name(), v.version(), form, e.getMessage()));
            return "card-edit";
        }
        if (!htmx) {
            return "redirect:/models/" + Format.segment(name) + "/versions/" + v.version() + "#card";
        }
        model.addAttribute("card", saved);
        // The revision table below the card is swapped too (htmx out-of-band), so it lists the new revision.
        model.addAttribute("revisions", cards.history(name, v.version()));
        model.addAttribute("path", "/models/" + Format.segment(name) + "/versions/" + v.version());
        return "card-fragment";
    }

    @GetMapping("/models/{name}/versions/{version}/card/diff")
    String diff(@PathVariable String name, @PathVariable String version,
                @RequestParam(required = false) Integer from, @RequestParam(required = false) Integer to,
                Model model) {
        access.require(ResourceType.REGISTERED_MODEL, name, Permission.READ);
        if (from == null || to == null) {
            throw CairnException.invalid("Name the two revisions to compare: from=1&to=2.");
        }
        ModelVersion v = versions.get(name, version);
        JsonNode before = json.valueToTree(cards.revision(name, v.version(), from).card());
        JsonNode after = json.valueToTree(cards.revision(name, v.version(), to).card());
        model.addAttribute("diff", new CardDiff(name, v.version(), from, to, CardDiff.between(before, after)));
        return "card-diff";
    }

    /** The card alone as a printable page (also at {@code /api/v1/models/{name}/versions/{version}/card.html}). */
    @GetMapping({"/models/{name}/versions/{version}/card", "/api/v1/models/{name}/versions/{version}/card.html"})
    String printableCard(@PathVariable String name, @PathVariable String version, Model model) {
        access.require(ResourceType.REGISTERED_MODEL, name, Permission.READ);
        ModelVersion v = versions.get(name, version);
        model.addAttribute("card", cards.current(name, v.version()));
        return "card-page";
    }

    /** Every deployment that serves one of the model's aliases, with its role. */
    private List<ModelView.DeploymentUse> uses(String model) {
        List<ModelView.DeploymentUse> uses = new ArrayList<>();
        for (String name : deployments.names()) {
            deployments.routing(name).filter(r -> r.model().equals(model)).ifPresent(r -> {
                uses.add(new ModelView.DeploymentUse(name, r.alias(), "primary", 100 - r.canaryPercent()));
                if (r.canaryAlias() != null) {
                    uses.add(new ModelView.DeploymentUse(name, r.canaryAlias(), "canary", r.canaryPercent()));
                }
            });
        }
        return uses;
    }
}
