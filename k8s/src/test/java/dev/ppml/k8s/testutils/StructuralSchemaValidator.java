package dev.ppml.k8s.testutils;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Validates a custom resource against its CRD's {@code openAPIV3Schema} with the structural
 * semantics of the Kubernetes API server, which a plain JSON Schema validator does not have:
 *
 * <ul>
 *   <li>an object rejects fields its schema does not declare, unless it is marked {@code
 *       x-kubernetes-preserve-unknown-fields: true} or declares {@code additionalProperties} (the
 *       API server prunes them, or rejects them under strict field validation, which {@code kubectl
 *       apply} uses by default since 1.27);
 *   <li>{@code x-kubernetes-int-or-string: true} accepts an integer or a string;
 *   <li>{@code nullable: true} also accepts null.
 * </ul>
 *
 * The root {@code metadata} is left to the API server (it validates ObjectMeta itself), as the CRD
 * schema does. Formats are not checked.
 */
public final class StructuralSchemaValidator {
    private static final JsonSchemaFactory FACTORY =
            JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4);

    private final String kind;
    private final String apiVersion;
    private final JsonSchema schema;

    private StructuralSchemaValidator(String kind, String apiVersion, JsonNode openApiV3Schema) {
        this.kind = kind;
        this.apiVersion = apiVersion;
        ObjectNode converted = (ObjectNode) toJsonSchema(openApiV3Schema);
        ObjectNode props = (ObjectNode) converted.get("properties");
        // the API server adds these three to every custom resource's root
        props.set("apiVersion", Yaml.object().put("type", "string"));
        props.set("kind", Yaml.object().put("type", "string"));
        props.set("metadata", Yaml.object().put("type", "object"));
        this.schema = FACTORY.getSchema(converted);
    }

    /** The validator for the served version of the CRD in {@code crdFile}. */
    public static StructuralSchemaValidator fromCrd(Path crdFile) {
        JsonNode crd = Yaml.file(crdFile);
        if (!"CustomResourceDefinition".equals(crd.path("kind").asText())) {
            throw new IllegalArgumentException(crdFile + " is not a CustomResourceDefinition");
        }
        String group = crd.path("spec").path("group").asText();
        String kind = crd.path("spec").path("names").path("kind").asText();
        for (JsonNode version : crd.path("spec").path("versions")) {
            if (version.path("served").asBoolean()) {
                return new StructuralSchemaValidator(
                        kind,
                        group + "/" + version.path("name").asText(),
                        version.path("schema").path("openAPIV3Schema"));
            }
        }
        throw new IllegalArgumentException(crdFile + " serves no version");
    }

    public String kind() {
        return kind;
    }

    public String apiVersion() {
        return apiVersion;
    }

    /** Every violation, as "$.path: message"; empty when the resource is valid. */
    public List<String> validate(JsonNode resource) {
        List<String> errors =
                schema.validate(resource).stream()
                        .map(ValidationMessage::getMessage)
                        .sorted()
                        .collect(Collectors.toList());
        if (!kind.equals(resource.path("kind").asText())) {
            errors.add(0, "$.kind: expected " + kind + ", found " + resource.path("kind"));
        }
        if (!apiVersion.equals(resource.path("apiVersion").asText())) {
            errors.add(
                    0,
                    "$.apiVersion: expected "
                            + apiVersion
                            + ", found "
                            + resource.path("apiVersion"));
        }
        return errors;
    }

    /** Kubernetes' structural schema rules, spelled out in JSON Schema draft 4. */
    static JsonNode toJsonSchema(JsonNode k8s) {
        if (!k8s.isObject()) {
            return k8s;
        }
        ObjectNode out = Yaml.object();
        boolean preserveUnknown = k8s.path("x-kubernetes-preserve-unknown-fields").asBoolean();
        boolean intOrString = k8s.path("x-kubernetes-int-or-string").asBoolean();
        boolean nullable = k8s.path("nullable").asBoolean();
        for (Iterator<Map.Entry<String, JsonNode>> it = k8s.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode value = e.getValue();
            if (key.startsWith("x-kubernetes-") || key.equals("nullable") || key.equals("format")) {
                continue;
            }
            switch (key) {
                case "properties":
                    ObjectNode props = Yaml.object();
                    value.fields()
                            .forEachRemaining(
                                    p -> props.set(p.getKey(), toJsonSchema(p.getValue())));
                    out.set(key, props);
                    break;
                case "items":
                case "additionalProperties":
                case "not":
                    out.set(key, value.isObject() ? toJsonSchema(value) : value);
                    break;
                case "anyOf":
                case "allOf":
                case "oneOf":
                    ArrayNode branches = Yaml.JSON.createArrayNode();
                    value.forEach(b -> branches.add(toJsonSchema(b)));
                    out.set(key, branches);
                    break;
                default:
                    out.set(key, value);
            }
        }
        if (intOrString) {
            out.remove("type");
            ArrayNode anyOf = Yaml.JSON.createArrayNode();
            anyOf.add(Yaml.object().put("type", "integer"));
            anyOf.add(Yaml.object().put("type", "string"));
            out.set("anyOf", anyOf);
        }
        boolean isObject = "object".equals(out.path("type").asText()) || out.has("properties");
        if (isObject && !preserveUnknown && !out.has("additionalProperties")) {
            out.put("additionalProperties", false);
        }
        if (nullable && out.has("type") && out.get("type").isTextual()) {
            ArrayNode types = Yaml.JSON.createArrayNode();
            types.add(out.get("type").asText());
            types.add("null");
            out.set("type", types);
        }
        return out;
    }
}
