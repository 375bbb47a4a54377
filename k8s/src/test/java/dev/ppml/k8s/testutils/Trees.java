package dev.ppml.k8s.testutils;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Searching and merging Kubernetes object trees. */
public final class Trees {
    private Trees() {}

    /** Every occurrence of a field, as JSON pointer to value, anywhere below {@code root}. */
    public static Map<String, JsonNode> findField(JsonNode root, String field) {
        Map<String, JsonNode> found = new LinkedHashMap<>();
        walk(
                root,
                "",
                (pointer, name, value) -> {
                    if (name.equals(field)) {
                        found.put(pointer, value);
                    }
                });
        return found;
    }

    /** Every text value below {@code root}, with its pointer. */
    public static Map<String, String> texts(JsonNode root) {
        Map<String, String> found = new LinkedHashMap<>();
        collectTexts(root, "", found);
        return found;
    }

    private static void collectTexts(JsonNode node, String pointer, Map<String, String> out) {
        if (node.isTextual()) {
            out.put(pointer, node.asText());
        } else if (node.isObject()) {
            node.fields()
                    .forEachRemaining(
                            e -> collectTexts(e.getValue(), pointer + "/" + e.getKey(), out));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collectTexts(node.get(i), pointer + "/" + i, out);
            }
        }
    }

    interface Visitor {
        void field(String pointer, String name, JsonNode value);
    }

    private static void walk(JsonNode node, String pointer, Visitor v) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String p = pointer + "/" + e.getKey();
                v.field(p, e.getKey(), e.getValue());
                walk(e.getValue(), p, v);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), pointer + "/" + i, v);
            }
        }
    }

    /**
     * The operator's pod template merge with {@code
     * kubernetes.operator.pod-template.merge-arrays-by-name: true}: objects field by field, the
     * component template winning; arrays of named objects element by element by name; other arrays
     * and values replaced.
     */
    public static JsonNode mergeByName(JsonNode base, JsonNode override) {
        if (base == null || base.isMissingNode() || base.isNull()) {
            return override.deepCopy();
        }
        if (override == null || override.isMissingNode() || override.isNull()) {
            return base.deepCopy();
        }
        if (base.isObject() && override.isObject()) {
            ObjectNode out = base.deepCopy();
            override.fields()
                    .forEachRemaining(
                            e ->
                                    out.set(
                                            e.getKey(),
                                            mergeByName(base.get(e.getKey()), e.getValue())));
            return out;
        }
        if (base.isArray() && override.isArray() && named(base) && named(override)) {
            ArrayNode out = base.deepCopy();
            for (JsonNode o : override) {
                boolean merged = false;
                for (int i = 0; i < out.size(); i++) {
                    if (out.get(i).get("name").equals(o.get("name"))) {
                        out.set(i, mergeByName(out.get(i), o));
                        merged = true;
                        break;
                    }
                }
                if (!merged) {
                    out.add(o.deepCopy());
                }
            }
            return out;
        }
        return override.deepCopy();
    }

    private static boolean named(JsonNode array) {
        for (JsonNode n : array) {
            if (!n.isObject() || !n.has("name")) {
                return false;
            }
        }
        return true;
    }

    /** The elements of an array node (empty for a missing node). */
    public static List<JsonNode> list(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }
}
