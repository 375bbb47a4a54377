package dev.ppml.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeyServiceOptionsTest {

    @Test
    void toStringHidesValues() {
        KeyServiceOptions options = KeyServiceOptions.of(Map.of("token", "s3cr3t"));
        assertThat(options.toString()).contains("token").doesNotContain("s3cr3t");
    }

    @Test
    void typedAccessorsReadTheCanonicalForms() throws Exception {
        KeyServiceOptions o =
                KeyServiceOptions.of(Map.of("d", "PT2H", "n", "7", "b", "TRUE", "s", "x"));
        assertThat(o.getDuration("d", Duration.ZERO)).isEqualTo(Duration.ofHours(2));
        assertThat(o.getDuration("unset", Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(3));
        assertThat(o.getInt("n", 1, 1)).isEqualTo(7);
        assertThat(o.getBoolean("b", false)).isTrue();
        assertThat(o.getString("s", "y")).isEqualTo("x");
        assertThat(o.cacheTtl()).isEqualTo(KeyServiceOptions.DEFAULT_CACHE_TTL);
    }

    @Test
    void malformedValuesNameTheOptionAndTheExpectedForm() {
        KeyServiceOptions o =
                KeyServiceOptions.of(
                        Map.of("d", "10 min", "neg", "-PT1S", "n", "x", "m", "0", "b", "yes"));
        assertThatThrownBy(() -> o.getDuration("d", null))
                .isInstanceOf(InvalidKeyReferenceException.class)
                .hasMessage(
                        "key-service option 'd' has value '10 min'; expected an ISO-8601 duration"
                                + " such as PT30S or PT10M");
        assertThatThrownBy(() -> o.getDuration("neg", null)).hasMessageContaining("not negative");
        assertThatThrownBy(() -> o.getInt("n", 1, 1)).hasMessageContaining("a whole number");
        assertThatThrownBy(() -> o.getInt("m", 1, 1)).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> o.getBoolean("b", false)).hasMessageContaining("true or false");
    }
}
