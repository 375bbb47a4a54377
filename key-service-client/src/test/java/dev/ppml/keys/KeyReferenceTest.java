package dev.ppml.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/** The one place a key reference is checked: every kind of mistake, without unlocking. */
class KeyReferenceTest {

    @Test
    void unknownSchemeListsTheKnownOnes() {
        assertThatThrownBy(() -> KeyReference.of("vault://x/y"))
                .isInstanceOf(InvalidKeyReferenceException.class)
                .hasMessageContaining("key URI 'vault://x/y' has unknown scheme 'vault'")
                .hasMessageContaining("expected one of cdh, kbs, local");
    }

    @Test
    void malformedOrMissingUrisAreRejected() {
        assertThatThrownBy(() -> KeyReference.of("no-scheme"))
                .isInstanceOf(InvalidKeyReferenceException.class)
                .hasMessageContaining("not of the form <scheme>:<location>");
        assertThatThrownBy(() -> KeyReference.of(" "))
                .isInstanceOf(InvalidKeyReferenceException.class)
                .hasMessageContaining("no key URI given");
        assertThatThrownBy(() -> KeyReference.of("local:"))
                .isInstanceOf(InvalidKeyReferenceException.class)
                .hasMessageContaining("not of the form");
    }

    @Test
    void eachSchemeChecksItsUriWithoutTheNetwork() {
        assertThatThrownBy(() -> KeyReference.of("cdh://only-two/parts"))
                .isInstanceOf(InvalidKeyReferenceException.class)
                .hasMessageContaining("expected cdh://<repository>/<type>/<tag>");
        assertThatThrownBy(
                        () ->
                                KeyReference.of(
                                        "kbs://127.0.0.1:1/repo/key",
                                        KeyServiceOptions.of(Map.of("kbs.tee", "sample"))))
                .isInstanceOf(InvalidKeyReferenceException.class)
                .hasMessageContaining("expected kbs://host:port/<repository>/<type>/<tag>");
    }

    @Test
    void optionErrorsNameTheOption() {
        InvalidKeyReferenceException missingTee =
                (InvalidKeyReferenceException)
                        Assertions.catchThrowable(() -> KeyReference.of("kbs://127.0.0.1:1/r/t/k"));
        assertThat(missingTee).hasMessageContaining("'kbs.tee'");
        assertThat(missingTee.option()).contains("kbs.tee");

        assertThatThrownBy(
                        () ->
                                KeyReference.of(
                                        "local:/tmp/k.json",
                                        KeyServiceOptions.of(Map.of("cache-ttl", "soon"))))
                .isInstanceOf(InvalidKeyReferenceException.class)
                .hasMessageContaining("'cache-ttl' has value 'soon'")
                .hasMessageContaining("ISO-8601");
        assertThatThrownBy(
                        () ->
                                KeyReference.of(
                                        "cdh://r/t/k",
                                        KeyServiceOptions.of(Map.of("cdh.url", "ftp://x"))))
                .hasMessageContaining("'cdh.url' has value 'ftp://x'");
    }

    @Test
    void aValidReferenceNamesItsKeyButShowsNoOptionValue() throws Exception {
        KeyReference key =
                KeyReference.of(
                        "kbs://127.0.0.1:8080/default/key/people",
                        KeyServiceOptions.of(
                                Map.of("kbs.tee", "sample", "kbs.plaintext-http", "true")));
        assertThat(key.keyUri().scheme()).isEqualTo("kbs");
        assertThat(key.toString())
                .contains("kbs://127.0.0.1:8080/default/key/people", "kbs.tee")
                .doesNotContain("sample");
        assertThat(key).isEqualTo(KeyReference.of(key.keyUri().toString(), key.options()));
    }
}
