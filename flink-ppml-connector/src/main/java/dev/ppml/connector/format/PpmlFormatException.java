package dev.ppml.connector.format;

import java.io.IOException;

/**
 * A ppml file could not be read: it is not a ppml file, has an unsupported version, its header is
 * corrupt, its data key cannot be unwrapped with the configured master key, or a ciphertext segment
 * failed authentication (flipped bytes, truncation, appended data, edited header).
 *
 * <p>The message always names the file. No plaintext of a failed segment is ever returned.
 */
public class PpmlFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public PpmlFormatException(String message) {
        super(message);
    }

    public PpmlFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
