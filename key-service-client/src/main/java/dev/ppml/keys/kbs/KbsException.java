package dev.ppml.keys.kbs;

import dev.ppml.keys.KeyServiceException;
import javax.annotation.Nullable;

/**
 * The key broker refused a request or could not be reached. Subclasses say which; {@link #status()}
 * is the HTTP status (0 when the broker was not reached) and {@link #problemType()} the RFC 7807
 * {@code type} the broker sent, if any.
 */
public class KbsException extends KeyServiceException {
    private static final long serialVersionUID = 1L;

    private final int status;
    @Nullable private final String problemType;

    public KbsException(String message, int status, @Nullable String problemType) {
        super(message);
        this.status = status;
        this.problemType = problemType;
    }

    public KbsException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
        this.problemType = null;
    }

    public int status() {
        return status;
    }

    @Nullable
    public String problemType() {
        return problemType;
    }

    /** 401: no valid session or token; the client re-attests once before giving up. */
    public static final class Unauthorized extends KbsException {
        private static final long serialVersionUID = 1L;

        public Unauthorized(String message, @Nullable String type) {
            super(message, 401, type);
        }
    }

    /** 403 or a rejected attestation: the broker's policy does not release the resource. */
    public static final class Denied extends KbsException {
        private static final long serialVersionUID = 1L;

        public Denied(String message, int status, @Nullable String type) {
            super(message, status, type);
        }
    }

    /** 404: no such resource in the broker. */
    public static final class NotFound extends KbsException {
        private static final long serialVersionUID = 1L;

        public NotFound(String message, @Nullable String type) {
            super(message, 404, type);
        }
    }

    /** The broker could not be reached or kept failing (5xx) after the configured retries. */
    public static final class Unavailable extends KbsException {
        private static final long serialVersionUID = 1L;

        public Unavailable(String message, @Nullable Throwable cause) {
            super(message, cause);
        }

        public Unavailable(String message, int status, @Nullable String type) {
            super(message, status, type);
        }
    }

    /** The broker answered something this client does not understand (version, format). */
    public static final class Protocol extends KbsException {
        private static final long serialVersionUID = 1L;

        public Protocol(String message, int status, @Nullable String type) {
            super(message, status, type);
        }
    }
}
