package dev.ppml.attestation;

/**
 * Evidence could not be produced, parsed or verified. Messages say which field, check or file
 * failed and never contain key material.
 */
public class AttestationException extends Exception {
    private static final long serialVersionUID = 1L;

    public AttestationException(String message) {
        super(message);
    }

    public AttestationException(String message, Throwable cause) {
        super(message, cause);
    }
}
