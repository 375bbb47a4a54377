package dev.ppml.connector.keys;

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
    void optionErrorsNameTheFlinkOption() {
        assertThatThrownBy(() -> MasterKey.of("kbs://127.0.0.1:8080/default/key/k"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("set key-service option 'kbs.tee'")
                .hasMessageContaining("(Flink option 'ppml.key-service.kbs.tee')");
    }

    @Test
    void serializesAsANameWithoutOptionValues() throws Exception {
        MasterKey key =
                MasterKey.of(
                        "cdh://r/t/k", KeyServiceOptions.of(Map.of("cdh.url", "http://s3cr3t:1")));
        assertThat(key.toString()).contains("cdh://r/t/k").doesNotContain("s3cr3t");
        MasterKey copy =
                InstantiationUtil.deserializeObject(
                        InstantiationUtil.serializeObject(key), getClass().getClassLoader());
        assertThat(copy).isEqualTo(key);
    }
}
