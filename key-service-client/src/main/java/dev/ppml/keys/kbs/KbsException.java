package dev.ppml.keys.kbs;

import dev.ppml.keys.KeyServiceException;
import javax.annotation.Nullable;

/**
 * The key broker refused a request or could not be reached. Subclasses say which; {@link #status()}
 * is the HTTP status (0 when the broker was not reached), {@link #problemType()} the {@code type}
 * the broker sent, if any, and {@link #variant()} its last segment (Trustee's error variant, e.g.
 * {@code PolicyDeny}).
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

    /** The error variant: the last path segment of {@link #problemType()}, or empty. */
    public String variant() {
        return problemType == null ? "" : problemType.substring(problemType.lastIndexOf('/') + 1);
    }

    /**
     * 401 {@code TokenVerifierError} or {@code TokenNotFound}: no valid session or token; the
     * client re-attests once before giving up.
     */
    public static final class Unauthorized extends KbsException {
        private static final long serialVersionUID = 1L;

        public Unauthorized(String message, @Nullable String type) {
            super(message, 401, type);
        }
    }

    /**
     * {@code PolicyDeny} (or a 403): the broker's resource policy does not release the resource.
     */
    public static final class Denied extends KbsException {
        private static final long serialVersionUID = 1L;

        public Denied(String message, int status, @Nullable String type) {
            super(message, status, type);
        }
    }

    /**
     * {@code PluginInternalError} (Trustee's answer for a resource it does not have) or a 404 (no
     * such plugin or path).
     */
    public static final class NotFound extends KbsException {
        private static final long serialVersionUID = 1L;

        public NotFound(String message, int status, @Nullable String type) {
            super(message, status, type);
        }
    }

    /** {@code AttestationError}: the broker refused the handshake or the evidence. */
    public static final class AttestationRefused extends KbsException {
        private static final long serialVersionUID = 1L;

        public AttestationRefused(String message, int status, @Nullable String type) {
            super(message, status, type);
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
