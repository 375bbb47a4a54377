package dev.ppml.connector.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import org.junit.jupiter.api.Test;

class AesGcmWarmUpTest {

    @Test
    void encryptsAndDecryptsEveryMessage() throws Exception {
        // run() checks that decryption gives back the plaintext, and the JDK refuses a nonce
        // used twice in a row for encryption: either failure throws
        assertThat(AesGcmWarmUp.run(50)).isEqualTo(100);
    }

    @Test
    void startsOncePerJvmAndMayBeCalledAgain() {
        assertThatCode(
                        () -> {
                            AesGcmWarmUp.ensure();
                            AesGcmWarmUp.ensure();
                        })
                .doesNotThrowAnyException();
    }

    @Test
    void warmsUpBeyondTheJitsTopTierThreshold() {
        // HotSpot's Tier4InvocationThreshold is 5,000; the warm-up must call more often
        assertThat(AesGcmWarmUp.OPERATIONS).isGreaterThan(5_000);
        assertThat(AesGcmWarmUp.MESSAGE_BYTES % 32).isZero();
    }
}
