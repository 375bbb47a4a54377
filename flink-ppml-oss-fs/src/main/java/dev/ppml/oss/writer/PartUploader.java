package dev.ppml.oss.writer;

import dev.ppml.oss.Crc64;
import dev.ppml.oss.ObjectStore;
import dev.ppml.oss.OssMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import org.apache.flink.annotation.Internal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads the parts of one multipart upload in the background, at most {@code concurrency} at a
 * time, and accepts a part only when the service acknowledged it with an ETag and a CRC64 equal to
 * the one computed as its bytes were written. A part failing that check is uploaded again (the same
 * part number overwrites it) from its buffer after the buffer's own CRC is re-checked; after {@code
 * attempts} failures the upload fails and every later call says why.
 */
@Internal
final class PartUploader {
    private static final Logger LOG = LoggerFactory.getLogger(PartUploader.class);

    private final ObjectStore store;
    private final String key;
    private final String uploadId;
    private final Executor executor;
    private final Semaphore permits;
    private final int attempts;
    private final List<CompletableFuture<OssRecoverable.Part>> pending = new ArrayList<>();

    PartUploader(
            ObjectStore store,
            String key,
            String uploadId,
            Executor executor,
            int concurrency,
            int attempts) {
        this.store = store;
        this.key = key;
        this.uploadId = uploadId;
        this.executor = executor;
        this.permits = new Semaphore(concurrency);
        this.attempts = attempts;
    }

    /** Schedules a part; blocks while {@code concurrency} parts are in flight. */
    void submit(int partNumber, PartBuffer buffer) throws IOException {
        failIfFailed();
        try {
            buffer.seal();
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting to upload part " + partNumber, e);
        }
        CompletableFuture<OssRecoverable.Part> future =
                CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return upload(partNumber, buffer);
                            } catch (IOException e) {
                                throw new CompletionException(e);
                            } finally {
                                buffer.close();
                                permits.release();
                            }
                        },
                        executor);
        synchronized (pending) {
            pending.add(future);
        }
    }

    /** Waits for every part submitted so far; returns them all, ordered by part number. */
    List<OssRecoverable.Part> awaitAll() throws IOException {
        List<CompletableFuture<OssRecoverable.Part>> snapshot;
        synchronized (pending) {
            snapshot = new ArrayList<>(pending);
        }
        List<OssRecoverable.Part> parts = new ArrayList<>(snapshot.size());
        for (CompletableFuture<OssRecoverable.Part> f : snapshot) {
            parts.add(get(f));
        }
        parts.sort(Comparator.comparingInt(p -> p.number));
        return parts;
    }

    private void failIfFailed() throws IOException {
        synchronized (pending) {
            for (CompletableFuture<OssRecoverable.Part> f : pending) {
                if (f.isCompletedExceptionally()) {
                    get(f);
                }
            }
        }
    }

    private static OssRecoverable.Part get(CompletableFuture<OssRecoverable.Part> f)
            throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for part uploads", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof IOException) {
                throw new IOException(cause.getMessage(), cause);
            }
            throw new IOException("part upload failed: " + cause, cause);
        }
    }

    private OssRecoverable.Part upload(int partNumber, PartBuffer buffer) throws IOException {
        String what = "part " + partNumber + " of oss://" + store.bucket() + "/" + key;
        long crc = buffer.crc64();
        IOException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            buffer.verify(what); // a corrupted buffer cannot be retried from: fail now
            ObjectStore.Ack ack;
            try (InputStream in = buffer.open()) {
                ack = store.uploadPart(key, uploadId, partNumber, in, buffer.size());
            } catch (IOException e) {
                last = e;
                retry(what, attempt, e.getMessage());
                continue;
            }
            if (ack.etag == null || ack.crc64 == null) {
                last =
                        new IOException(
                                String.format(
                                        "%s was acknowledged without %s: the part may not have"
                                                + " been stored (a proxy or the service dropped"
                                                + " it)",
                                        what, ack.etag == null ? "an ETag" : "a CRC64"));
                retry(what, attempt, last.getMessage());
                continue;
            }
            if (ack.crc64 != crc) {
                OssMetrics.crcMismatch();
                last =
                        new IOException(
                                String.format(
                                        "%s: the service stored CRC64 %s but %s was sent (%d"
                                                + " bytes): the bytes were altered in transit",
                                        what,
                                        Crc64.toOssString(ack.crc64),
                                        Crc64.toOssString(crc),
                                        buffer.size()));
                retry(what, attempt, last.getMessage());
                continue;
            }
            OssMetrics.partUploaded(buffer.size());
            LOG.debug("Uploaded and verified {} ({} bytes)", what, buffer.size());
            return new OssRecoverable.Part(partNumber, ack.etag, buffer.size(), crc);
        }
        LOG.error("Giving up on {} after {} attempts: {}", what, attempts, last.getMessage());
        throw new IOException(
                String.format(
                        "%s failed %d verified upload attempts; last: %s",
                        what, attempts, last.getMessage()),
                last);
    }

    private void retry(String what, int attempt, String reason) {
        if (attempt < attempts) {
            OssMetrics.partRetry();
            LOG.warn(
                    "Uploading {} again (attempt {} of {}): {}",
                    what,
                    attempt + 1,
                    attempts,
                    reason);
        }
    }
}
