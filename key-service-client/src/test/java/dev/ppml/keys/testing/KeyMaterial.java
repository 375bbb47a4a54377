package dev.ppml.keys.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.crypto.tink.proto.AesGcmKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Test support: the secret strings of a local keystore (the raw AES key as hex and Base64, and the
 * serialized key value as Base64), so a test can assert that none of them ever appears in logs,
 * exception messages or output.
 */
public final class KeyMaterial {
    private KeyMaterial() {}

    /** Every textual form of the keystore's secret key material that a leak could take. */
    public static List<String> secretForms(Path keystore) throws IOException {
        JsonNode keyset = new ObjectMapper().readTree(Files.readString(keystore));
        List<String> forms = new ArrayList<>();
        for (JsonNode key : keyset.get("key")) {
            String valueB64 = key.get("keyData").get("value").asText();
            byte[] serialized = Base64.getDecoder().decode(valueB64);
            forms.add(valueB64);
            byte[] raw = AesGcmKey.parseFrom(serialized).getKeyValue().toByteArray();
            String hex = HexFormat.of().formatHex(raw);
            forms.add(hex);
            forms.add(hex.toUpperCase(Locale.ROOT));
            forms.add(Base64.getEncoder().encodeToString(raw));
            forms.add(Base64.getUrlEncoder().withoutPadding().encodeToString(raw));
        }
        return forms;
    }

    /** The forms of {@link #secretForms} that occur in {@code text}; empty when none leaked. */
    public static List<String> leakedInto(String text, Path keystore) throws IOException {
        List<String> leaked = new ArrayList<>();
        for (String form : secretForms(keystore)) {
            if (text.contains(form)) {
                leaked.add(form.substring(0, 4) + "…");
            }
        }
        return leaked;
    }
}
