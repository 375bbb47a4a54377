package dev.ppml.attestation.binding;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * RFC 8785 JSON Canonicalization Scheme for the values the attestation protocol binds: objects with
 * members sorted by their names' UTF-16 code units, no insignificant white space, strings with the
 * minimal JSON escapes, integers in plain decimal.
 *
 * <p>Restrictions: numbers with fractions or exponents are rejected rather than serialized with
 * ECMAScript's number formatting, which the protocol never needs.
 */
public final class Jcs {
    private Jcs() {}

    /** The canonical form of {@code value}. */
    public static String canonicalize(JsonNode value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    private static void write(JsonNode v, StringBuilder out) {
        if (v.isObject()) {
            List<String> names = new ArrayList<>();
            for (Iterator<String> it = v.fieldNames(); it.hasNext(); ) {
                names.add(it.next());
            }
            names.sort(String::compareTo); // String.compareTo orders by UTF-16 code units
            out.append('{');
            for (int i = 0; i < names.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                string(names.get(i), out);
                out.append(':');
                write(v.get(names.get(i)), out);
            }
            out.append('}');
        } else if (v.isArray()) {
            out.append('[');
            for (int i = 0; i < v.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(v.get(i), out);
            }
            out.append(']');
        } else if (v.isTextual()) {
            string(v.asText(), out);
        } else if (v.isIntegralNumber()) {
            out.append(v.bigIntegerValue().toString());
        } else if (v.isNumber()) {
            BigDecimal d = v.decimalValue();
            if (d.stripTrailingZeros().scale() > 0) {
                throw new IllegalArgumentException(
                        "JCS of non-integer numbers is not supported: " + d);
            }
            out.append(d.toBigInteger().toString());
        } else if (v.isBoolean()) {
            out.append(v.booleanValue());
        } else if (v.isNull()) {
            out.append("null");
        } else {
            throw new IllegalArgumentException("not a JSON value: " + v.getNodeType());
        }
    }

    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\b':
                    out.append("\\b");
                    break;
                case '\f':
                    out.append("\\f");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                default:
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }
}
