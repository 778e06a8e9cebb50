package io.cairn.registry.card;

import io.cairn.platform.error.CairnApi;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.security.Access;
import io.cairn.platform.security.Permission;
import io.cairn.platform.security.ResourceType;
import io.cairn.platform.error.ErrorCode;
import io.cairn.platform.error.ProblemDetailsAdvice;
import io.cairn.registry.ModelVersions;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * {@code /api/v1/models/{name}/versions/{version}/card}: read, edit (merge patch) and read history. The card's HTML
 * page ({@code .../card.html}) is the dashboard's, rendered from the same templates as the version page.
 */
@RestController
@CairnApi
@RequestMapping("/api/v1/models/{name}/versions/{version}")
class ModelCardController {

    private final ModelCards cards;
    private final ModelVersions versions;
    private final Access access;

    ModelCardController(ModelCards cards, ModelVersions versions, Access access) {
        this.cards = cards;
        this.versions = versions;
        this.access = access;
    }

    /** The list of revisions without their cards. */
    record History(List<CardRevision> revisions) {
    }

    @GetMapping("/card")
    CardRevision get(@PathVariable String name, @PathVariable String version) {
        access.require(ResourceType.REGISTERED_MODEL, name, Permission.READ);
        return cards.current(name, number(version));
    }

    @PatchMapping(path = "/card", consumes = {"application/merge-patch+json", MediaType.APPLICATION_JSON_VALUE})
    CardRevision edit(@PathVariable String name, @PathVariable String version, @RequestBody JsonNode patch) {
        access.require(ResourceType.REGISTERED_MODEL, name, Permission.EDIT);
        return cards.edit(name, number(version), patch);
    }

    /** Fills the lineage fields again from the version's run as it is now; human edits stay. */
    @PostMapping("/card/refresh")
    CardRevision refresh(@PathVariable String name, @PathVariable String version) {
        access.require(ResourceType.REGISTERED_MODEL, name, Permission.EDIT);
        return versions.refreshCard(name, number(version));
    }

    @GetMapping("/card/revisions")
    History history(@PathVariable String name, @PathVariable String version) {
        access.require(ResourceType.REGISTERED_MODEL, name, Permission.READ);
        return new History(cards.history(name, number(version)));
    }

    @GetMapping("/card/revisions/{revision}")
    CardRevision revision(@PathVariable String name, @PathVariable String version, @PathVariable int revision) {
        access.require(ResourceType.REGISTERED_MODEL, name, Permission.READ);
        return cards.revision(name, number(version), revision);
    }

    /**
     * {@code Accept: text/html} alone on the JSON card (a link followed from a page, curl -H). The card's HTML form is
     * its own path, so the answer says where it is rather than guessing which representation was meant.
     */
    @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
    ResponseEntity<ProblemDetail> notAcceptable(HttpServletRequest request) {
        return ProblemDetailsAdvice.problem(ErrorCode.NOT_ACCEPTABLE, "This endpoint answers application/json; "
                + "send Accept: application/json (or */*), or GET " + request.getRequestURI().replaceAll("/card.*$",
                "/card.html") + " for the HTML page.");
    }

    private static int number(String version) {
        try {
            int v = Integer.parseInt(version);
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // Falls through to the error below.
        }
        throw CairnException.invalid("Invalid version '" + version + "': a model version is a positive integer.");
    }
}
