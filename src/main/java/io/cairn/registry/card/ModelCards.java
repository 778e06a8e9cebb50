package io.cairn.registry.card;

import io.cairn.artifacts.ArtifactContent;
import io.cairn.artifacts.ArtifactPaths;
import io.cairn.artifacts.ArtifactStore;
import io.cairn.platform.audit.AuditEvent;
import io.cairn.platform.audit.AuditLog;
import io.cairn.platform.error.CairnException;
import io.cairn.platform.web.CurrentActor;
import io.cairn.registry.ModelVersion;
import io.cairn.registry.card.ModelCard.KeyVal;
import io.cairn.registry.store.ModelCardStore;
import io.cairn.registry.store.ModelCardStore.RevisionRow;
import io.cairn.registry.store.ModelVersionStore;
import io.cairn.tracking.Run;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Model cards: the first revision is filled from lineage when a version is created; humans then edit the
 * descriptive fields with JSON merge patches. Every edit is a new revision, so a card's history can be read back.
 */
@Service
public class ModelCards {

    /** Fields filled from lineage: a patch that touches them is refused. */
    private static final Set<String> LINEAGE_FIELDS = Set.of("/model_details/name", "/model_details/version",
            "/model_details/path", "/model_parameters/data", "/model_parameters/hyperparameters",
            "/quantitative_analysis/performance_metrics");
    /**
     * Fields lineage fills when the card is made that people may also edit: a refresh fills them again only where no
     * edit ever changed them.
     */
    private static final List<String> EDITABLE_LINEAGE_FIELDS = List.of("/model_details/overview",
            "/model_details/owners", "/model_details/references", "/model_parameters/model_architecture",
            "/model_parameters/input_format", "/model_parameters/input_format_map",
            "/model_parameters/output_format", "/model_parameters/output_format_map");
    private static final int MAX_TEXT_LENGTH = 20_000;
    private static final String ENTITY = "model_card";

    private final ModelCardStore store;
    private final ModelVersionStore versions;
    private final ArtifactStore artifacts;
    private final AuditLog audit;
    private final Clock clock;
    private final JsonMapper json = JsonMapper.builder().build();
    private final JsonMapper strict = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .build();

    ModelCards(ModelCardStore store, ModelVersionStore versions, ArtifactStore artifacts, AuditLog audit, Clock clock) {
        this.store = store;
        this.versions = versions;
        this.artifacts = artifacts;
        this.audit = audit;
        this.clock = clock;
    }

    /** Writes revision 1 of a new version's card; runs inside the version's creation. */
    @Transactional(propagation = Propagation.MANDATORY)
    public ModelCard createInitial(ModelVersion version, Run run) {
        ModelCard card = CardFromLineage.build(version, run, artifacts.uri(version.storageLocation()),
                signature(version.storageLocation()));
        store.insert(version.name(), version.version(), 1, json.writeValueAsString(card), clock.millis(),
                CurrentActor.name());
        audit.record(ENTITY, id(version.name(), version.version()), "create", null, card);
        return card;
    }

    /** The latest revision, with the monitoring section read from the version's tags now. */
    @Transactional(readOnly = true)
    public CardRevision current(String name, int version) {
        ModelVersionStore.VersionRow row = requireVersion(name, version);
        return revision(name, version, store.latest(name, version).orElseThrow(() -> missing(name, version)))
                .withMonitoring(CardRevision.Monitoring.of(versions.tags(List.of(row))
                        .getOrDefault(ModelVersionStore.key(name, version), Map.of())));
    }

    @Transactional(readOnly = true)
    public CardRevision revision(String name, int version, int revision) {
        requireVersion(name, version);
        return revision(name, version, store.find(name, version, revision).orElseThrow(() -> CairnException.notFound(
                "Model card of " + name + " version " + version + " has no revision " + revision + ".")));
    }

    /** Revision numbers, times and authors, oldest first (cards omitted). */
    @Transactional(readOnly = true)
    public List<CardRevision> history(String name, int version) {
        requireVersion(name, version);
        List<CardRevision> out = new ArrayList<>();
        for (RevisionRow row : store.history(name, version)) {
            out.add(new CardRevision(name, version, row.revision(), row.createdAt(), row.author(), null));
        }
        return out;
    }

    /**
     * Applies a JSON merge patch (RFC 7396) to the human-edited fields and stores the result as a new revision.
     * Refuses fields outside the card's schema, lineage fields, and values of the wrong shape; a patch that changes
     * nothing returns the current revision without adding one.
     */
    @Transactional
    public CardRevision edit(String name, int version, JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            throw CairnException.invalid("A card patch must be a JSON object (a merge patch of the card).");
        }
        checkPatch(patch, "");
        versions.lock(name, version).orElseThrow(() -> missingVersion(name, version));
        RevisionRow latest = store.latest(name, version).orElseThrow(() -> missing(name, version));
        JsonNode before = json.readTree(latest.cardJson());
        JsonNode merged = mergePatch(before.deepCopy(), patch);
        ModelCard card = validate(merged);
        JsonNode normalized = json.valueToTree(card);
        if (normalized.equals(before)) {
            return revision(name, version, latest);
        }
        int next = latest.revision() + 1;
        String author = CurrentActor.name();
        store.insert(name, version, next, json.writeValueAsString(normalized), clock.millis(), author);
        audit.record(ENTITY, id(name, version), "edit", before, normalized);
        return revision(name, version, store.find(name, version, next).orElseThrow());
    }

    /**
     * Fills the card's lineage fields again from the version's lineage as it is now (the run's datasets, metrics,
     * params and tags, the MLmodel signature): a card made before a training set was logged to its run, or before its
     * metrics were, catches up. The lineage-only fields are replaced; the fields people may edit too are replaced only
     * where no edit (audit action {@code edit}) ever changed them, so what a person wrote stays. A refresh that changes
     * nothing returns the current revision without adding one; otherwise the new revision is audited as
     * {@code refresh}.
     *
     * @param run the version's run, or null when it has none (or it is gone)
     */
    @Transactional
    public CardRevision refresh(ModelVersion version, Run run) {
        String name = version.name();
        int number = version.version();
        versions.lock(name, number).orElseThrow(() -> missingVersion(name, number));
        RevisionRow latest = store.latest(name, number).orElseThrow(() -> missing(name, number));
        JsonNode before = json.readTree(latest.cardJson());
        JsonNode fresh = json.valueToTree(CardFromLineage.build(version, run, artifacts.uri(version.storageLocation()),
                signature(version.storageLocation())));
        Set<String> edited = humanEdited(id(name, number));
        ObjectNode merged = (ObjectNode) before.deepCopy();
        for (String field : LINEAGE_FIELDS) {
            replace(merged, field, fresh.at(field));
        }
        for (String field : EDITABLE_LINEAGE_FIELDS) {
            if (!edited.contains(field)) {
                replace(merged, field, fresh.at(field));
            }
        }
        JsonNode normalized = json.valueToTree(json.treeToValue(merged, ModelCard.class));
        if (normalized.equals(before)) {
            return revision(name, number, latest);
        }
        int next = latest.revision() + 1;
        store.insert(name, number, next, json.writeValueAsString(normalized), clock.millis(), CurrentActor.name());
        audit.record(ENTITY, id(name, number), "refresh", before, normalized);
        return revision(name, number, store.find(name, number, next).orElseThrow());
    }

    /** The editable lineage fields that some edit of this card (since it was made) changed. */
    private Set<String> humanEdited(String id) {
        Long after = audit.latest(ENTITY, id, "create").map(AuditEvent::id).orElse(null);
        Set<String> edited = new java.util.HashSet<>();
        while (true) {
            List<AuditEvent> page = audit.find(new AuditLog.Query(ENTITY, id, null, null, after, 500));
            for (AuditEvent event : page) {
                if (!"edit".equals(event.action()) || event.before() == null || event.after() == null) {
                    continue;
                }
                for (String field : EDITABLE_LINEAGE_FIELDS) {
                    if (!event.before().at(field).equals(event.after().at(field))) {
                        edited.add(field);
                    }
                }
            }
            if (page.size() < 500) {
                return edited;
            }
            after = page.get(page.size() - 1).id();
        }
    }

    /** Sets {@code /parent/field} of the card to {@code value}, or removes it when {@code value} is missing. */
    private static void replace(ObjectNode card, String pointer, JsonNode value) {
        String[] parts = pointer.substring(1).split("/");
        ObjectNode parent = card;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = parent.get(parts[i]);
            if (child instanceof ObjectNode object) {
                parent = object;
            } else if (value.isMissingNode()) {
                return;
            } else {
                parent = parent.putObject(parts[i]);
            }
        }
        if (value.isMissingNode() || value.isNull()) {
            parent.remove(parts[parts.length - 1]);
        } else {
            parent.set(parts[parts.length - 1], value.deepCopy());
        }
    }

    private CardRevision revision(String name, int version, RevisionRow row) {
        return new CardRevision(name, version, row.revision(), row.createdAt(), row.author(),
                json.readValue(row.cardJson(), ModelCard.class));
    }

    private void checkPatch(JsonNode node, String path) {
        if (LINEAGE_FIELDS.contains(path)) {
            throw CairnException.invalid("'" + path + "' is filled from the version's lineage (its run, datasets and "
                    + "metrics) and cannot be edited; change the run or register a new version instead.");
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                checkPatch(field.getValue(), path + "/" + field.getKey());
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkPatch(node.get(i), path + "/" + i);
            }
        } else if (node.isString() && node.asString().length() > MAX_TEXT_LENGTH) {
            throw CairnException.invalid("'" + path + "' is " + node.asString().length()
                    + " characters long; card texts are limited to " + MAX_TEXT_LENGTH + ".");
        }
    }

    private ModelCard validate(JsonNode merged) {
        ModelCard card;
        try {
            card = strict.treeToValue(merged, ModelCard.class);
        } catch (UnrecognizedPropertyException e) {
            throw CairnException.invalid("Unknown model card field '" + e.getPropertyName() + "' at " + pointer(e)
                    + "; the card follows the Model Card Toolkit schema (model_details, model_parameters, "
                    + "quantitative_analysis, considerations).");
        } catch (JacksonException e) {
            throw CairnException.invalid("Invalid value at " + pointer(e) + ": " + e.getOriginalMessage());
        }
        if (card.model_details() != null) {
            if (card.model_details().owners() != null) {
                card.model_details().owners().forEach(o -> require(o.name(), "/model_details/owners/*/name"));
            }
            if (card.model_details().licenses() != null) {
                card.model_details().licenses().forEach(l -> {
                    if (blank(l.identifier()) && blank(l.custom_text())) {
                        throw CairnException.invalid("Each license needs an 'identifier' (SPDX, e.g. Apache-2.0) or a "
                                + "'custom_text'.");
                    }
                });
            }
        }
        if (card.considerations() != null && card.considerations().ethical_considerations() != null) {
            card.considerations().ethical_considerations().forEach(r ->
                    require(r.name(), "/considerations/ethical_considerations/*/name"));
        }
        return card;
    }

    /** RFC 7396: objects merge member by member, null removes, anything else replaces. */
    static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch;
        }
        ObjectNode result = target != null && target.isObject() ? (ObjectNode) target : JsonMapper.shared().createObjectNode();
        for (Map.Entry<String, JsonNode> field : patch.properties()) {
            if (field.getValue().isNull()) {
                result.remove(field.getKey());
            } else {
                result.set(field.getKey(), mergePatch(result.get(field.getKey()), field.getValue()));
            }
        }
        return result;
    }

    /**
     * The input column names of the version's MLflow signature, in order, when it is column-based (every input has a
     * name and a scalar type); empty for a tensor signature, none, or an unknown version.
     */
    public List<String> signatureColumns(String name, int version) {
        Optional<ModelVersionStore.VersionRow> row = versions.find(name, version);
        CardFromLineage.Signature signature = row.isEmpty() ? null : signature(row.get().storageLocation());
        if (signature == null || signature.inputMap().isEmpty()) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (KeyVal column : signature.inputMap()) {
            if (column.key() == null || column.key().isEmpty() || column.value().startsWith("tensor ")) {
                return List.of();
            }
            names.add(column.key());
        }
        return names;
    }

    private CardFromLineage.Signature signature(String storageLocation) {
        Optional<ArtifactContent> mlmodel = artifacts.open(ArtifactPaths.join(storageLocation, "MLmodel"));
        if (mlmodel.isEmpty()) {
            return null;
        }
        try (InputStream in = mlmodel.get().stream()) {
            Object loaded = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
            if (!(loaded instanceof Map<?, ?> model) || !(model.get("signature") instanceof Map<?, ?> signature)) {
                return null;
            }
            String inputs = signature.get("inputs") == null ? null : signature.get("inputs").toString();
            String outputs = signature.get("outputs") == null ? null : signature.get("outputs").toString();
            return new CardFromLineage.Signature(inputs, columns(inputs), outputs, columns(outputs));
        } catch (IOException | RuntimeException e) {
            // A malformed MLmodel leaves the schema fields empty; the card is still worth having.
            return null;
        }
    }

    /** MLflow signatures are JSON lists of {name, type}; a tensor spec has no name, so it keys by type. */
    private List<KeyVal> columns(String specJson) {
        List<KeyVal> out = new ArrayList<>();
        if (specJson == null) {
            return out;
        }
        JsonNode spec = json.readTree(specJson);
        for (JsonNode column : spec) {
            String name = column.has("name") ? column.get("name").asString() : "";
            String type = column.has("type") ? column.get("type").asString() : "";
            if (column.has("tensor-spec")) {
                type = "tensor " + column.get("tensor-spec").toString();
            }
            out.add(new KeyVal(name, type));
        }
        return out;
    }

    private ModelVersionStore.VersionRow requireVersion(String name, int version) {
        return versions.find(name, version).orElseThrow(() -> missingVersion(name, version));
    }

    private static void require(String value, String path) {
        if (blank(value)) {
            throw CairnException.invalid("'" + path + "' is required.");
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String pointer(JacksonException e) {
        StringBuilder out = new StringBuilder();
        for (var ref : e.getPath()) {
            out.append('/').append(ref.getPropertyName() != null ? ref.getPropertyName() : Integer.toString(ref.getIndex()));
        }
        return out.isEmpty() ? "/" : out.toString();
    }

    private static String id(String name, int version) {
        return name + "/" + version;
    }

    private static CairnException missingVersion(String name, int version) {
        return CairnException.notFound("Model Version (name=" + name + ", version=" + version + ") not found");
    }

    private static CairnException missing(String name, int version) {
        return CairnException.notFound("Model version " + name + "/" + version + " has no card.");
    }
}
