package dev.ppml.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KeyUriTest {
    @Test
    void splitsSchemeAndLocation() {
        KeyUri uri = KeyUri.parse(" KBS://kbs.example:8080/default/key/people ");
        assertThat(uri.scheme()).isEqualTo("kbs");
        assertThat(uri.schemeSpecificPart()).isEqualTo("//kbs.example:8080/default/key/people");
        assertThat(uri.toString()).isEqualTo("KBS://kbs.example:8080/default/key/people");
    }

    @Test
    void rejectsTextWithoutScheme() {
        assertThatThrownBy(() -> KeyUri.parse("/etc/key.json"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'/etc/key.json'")
                .hasMessageContaining("local:/path/to/keyset.json");
        assertThatThrownBy(() -> KeyUri.parse("local:"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
