package dev.ppml.connector.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ppml.keys.KeyServiceOptions;
import java.util.Map;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

class MasterKeyTest {

    @Test
    void unknownSchemeFailsWhenTheJobIsBuilt() {
        assertThatThrownBy(() -> MasterKey.of("vault://x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("key URI 'vault://x' has unknown scheme 'vault'")
                .hasMessageContaining("expected one of")
                .hasMessageContaining("local");
    }

    @Test
    void serializesAsANameWithoutOptionValues() throws Exception {
        MasterKey key =
                MasterKey.of("local:/k.json", KeyServiceOptions.of(Map.of("token", "s3cr3t")));
        assertThat(key.toString()).contains("local:/k.json").doesNotContain("s3cr3t");
        MasterKey copy =
                InstantiationUtil.deserializeObject(
                        InstantiationUtil.serializeObject(key), getClass().getClassLoader());
        assertThat(copy).isEqualTo(key);
    }
}
