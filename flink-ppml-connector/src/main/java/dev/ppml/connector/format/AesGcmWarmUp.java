package dev.ppml.connector.format;

import com.google.crypto.tink.subtle.EngineFactory;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.VisibleForTesting;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the JDK's AES-GCM onto its hardware path once per JVM, beside the first ppml file that is
 * written or read.
 *
 * <p>Why: the JDK runs GHASH and AES-CTR as Java code until the JIT compiles their callers ({@code
 * GHASH.update}, {@code CounterMode.crypt}) with its top compiler, which alone replaces the inner
 * loops with the CPU's carry-less multiply and AES instructions. That compiler counts calls (about
 * 5,000), not bytes, and Tink's streaming AEAD makes only a handful of calls per 1 MiB segment: on
 * JDK 17 a JVM encrypted roughly its first gigabyte at 40 to a few hundred MB/s instead of about 2
 * GB/s, and a job that moves less than that ran at the slow speed throughout (the README's
 * Performance section has the profile). {@value #OPERATIONS} encryptions and as many decryptions of
 * {@value #MESSAGE_BYTES} bytes, made the way Tink makes them, reach that count for about 0.2 s of
 * CPU in a cold JVM, once, in a daemon thread: the first file waits for nothing.
 *
 * <p>Security: the warm-up uses a random key of its own that never leaves {@link #run} and a fresh
 * nonce per encryption; it touches no data key, master key or plaintext of any file. A failure is
 * logged and ignored: it costs speed, never correctness, and the real cipher reports its own
 * errors.
 */
@Internal
final class AesGcmWarmUp {
    private static final Logger LOG = LoggerFactory.getLogger(AesGcmWarmUp.class);

    /** Calls per direction: above the JIT's top-tier invocation threshold (5,000 in HotSpot). */
    static final int OPERATIONS = 6_000;

    /** Bytes per message: enough for an update and a final call with whole blocks in each. */
    static final int MESSAGE_BYTES = 64;

    private static final int TAG_BITS = 128;
    private static final int NONCE_BYTES = 12;

    private AesGcmWarmUp() {}

    /**
     * Starts the warm-up, in a daemon thread of its own, if this JVM has not started it yet;
     * returns at once, so that opening the first file waits for nothing.
     */
    static void ensure() {
        // class initialization starts it exactly once
        Once.touch();
    }

    private static final class Once {
        static {
            Thread thread = new Thread(AesGcmWarmUp::runLogged, "ppml-aes-gcm-warm-up");
            thread.setDaemon(true);
            thread.start();
        }

        static void touch() {}
    }

    private static void runLogged() {
        long start = System.nanoTime();
        try {
            run(OPERATIONS);
            LOG.debug("Warmed up AES-GCM in {} ms", (System.nanoTime() - start) / 1_000_000);
        } catch (GeneralSecurityException | RuntimeException e) {
            LOG.warn(
                    "Warming up AES-GCM failed ({}); ppml files are encrypted as before, only"
                            + " more slowly at first",
                    e.toString());
        }
    }

    /**
     * Encrypts and then decrypts {@code operations} messages under a throwaway key on heap buffers,
     * as Tink does with a segment: an encryption as an update of the first half and a final call
     * with the rest, a decryption as one final call. Checks that decryption returns the plaintext.
     *
     * @return the number of cipher operations made (two per message)
     */
    @VisibleForTesting
    static int run(int operations) throws GeneralSecurityException {
        SecureRandom random = new SecureRandom();
        byte[] keyBytes = new byte[32];
        random.nextBytes(keyBytes);
        SecretKeySpec key = new SecretKeySpec(keyBytes, "AES");
        Arrays.fill(keyBytes, (byte) 0);
        byte[] noncePrefix = new byte[NONCE_BYTES - Integer.BYTES];
        random.nextBytes(noncePrefix);

        Cipher cipher = EngineFactory.CIPHER.getInstance("AES/GCM/NoPadding");
        byte[] plaintext = new byte[MESSAGE_BYTES];
        random.nextBytes(plaintext);
        ByteBuffer in = ByteBuffer.allocate(MESSAGE_BYTES + TAG_BITS / 8);
        ByteBuffer out = ByteBuffer.allocate(MESSAGE_BYTES + TAG_BITS / 8);
        byte[] nonce = new byte[NONCE_BYTES];
        System.arraycopy(noncePrefix, 0, nonce, 0, noncePrefix.length);
        int done = 0;
        for (int i = 0; i < operations; i++) {
            // a fresh nonce per encryption: GCM must never see a (key, nonce) pair twice
            ByteBuffer.wrap(nonce, noncePrefix.length, Integer.BYTES).putInt(i);
            in.clear().put(plaintext).flip();
            out.clear();
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            ByteBuffer firstHalf = in.duplicate().limit(MESSAGE_BYTES / 2);
            cipher.update(firstHalf, out);
            cipher.doFinal(in.position(firstHalf.position()), out);
            done++;
        }
        ByteBuffer ciphertext = out.flip();
        for (int i = 0; i < operations; i++) {
            ciphertext.rewind();
            in.clear();
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.doFinal(ciphertext, in);
            done++;
        }
        if (!MessageDigest.isEqual(Arrays.copyOf(in.array(), in.position()), plaintext)) {
            throw new GeneralSecurityException("AES-GCM did not decrypt what it encrypted");
        }
        return done;
    }
}
