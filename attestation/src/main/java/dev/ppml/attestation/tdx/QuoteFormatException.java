package dev.ppml.attestation.tdx;

import dev.ppml.attestation.AttestationException;

/** A quote is malformed or truncated; the message names the field and its byte offset. */
public final class QuoteFormatException extends AttestationException {
    private static final long serialVersionUID = 1L;

    public QuoteFormatException(String message) {
        super(message);
    }
}
