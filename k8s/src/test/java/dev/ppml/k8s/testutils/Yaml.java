package dev.ppml.k8s.testutils;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** YAML documents as Jackson trees. */
public final class Yaml {
    public static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory());
    public static final ObjectMapper JSON = new ObjectMapper();

    private Yaml() {}

    /** Every non-empty document of a multi-document YAML text. */
    public static List<JsonNode> documents(String yaml) {
        List<JsonNode> docs = new ArrayList<>();
        try (YAMLParser parser = ((YAMLFactory) MAPPER.getFactory()).createParser(yaml)) {
            for (JsonNode doc : MAPPER.readValues(parser, JsonNode.class).readAll()) {
                if (doc != null && !doc.isNull() && !doc.isMissingNode() && doc.size() > 0) {
                    docs.add(doc);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("not YAML: " + e.getMessage(), e);
        }
        return docs;
    }

    /** The single document of a YAML file. */
    public static JsonNode file(Path path) {
        List<JsonNode> docs = documents(Project.read(path));
        if (docs.size() != 1) {
            throw new IllegalArgumentException(
                    path + " has " + docs.size() + " YAML documents, expected 1");
        }
        return docs.get(0);
    }

    /** A flat "key: value" YAML file (Flink options) as strings, in file order. */
    public static Map<String, String> flatOptions(Path path) {
        Map<String, String> options = new LinkedHashMap<>();
        if (!Files.exists(path)) {
            throw new IllegalArgumentException(path + " does not exist");
        }
        List<JsonNode> docs = documents(Project.read(path));
        if (docs.isEmpty()) {
            return options;
        }
        docs.get(0).fields().forEachRemaining(e -> options.put(e.getKey(), e.getValue().asText()));
        return options;
    }

    public static ObjectNode object() {
        return JSON.createObjectNode();
    }
}
