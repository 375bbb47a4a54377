package dev.ppml.oss;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ppml.oss.testutils.OssTestServerExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.legacy.io.TextOutputFormat;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Flink batch job writes through a {@code FileOutputFormat} to a fresh {@code oss://} directory
 * with parallelism 2: the master's {@code initOutPathDistFS} makes the directory and checks that it
 * exists before any task writes its file {@code 1}, {@code 2} into it.
 */
class OssFileOutputFormatITCase {

    @RegisterExtension
    @Order(1)
    static final OssTestServerExtension OSS = new OssTestServerExtension("jobs");

    @RegisterExtension
    @Order(2)
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @BeforeAll
    static void configureFileSystem() throws Exception {
        OSS.initializeFileSystem();
    }

    @Test
    void aBatchJobWritesADirectoryOutputToAFreshPath() throws Exception {
        Path out = new Path(OSS.bucketUri() + "fresh/run-1");
        List<String> lines =
                IntStream.range(0, 100).mapToObj(i -> "line-" + i).collect(Collectors.toList());

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.setParallelism(2);
        TextOutputFormat<String> format = new TextOutputFormat<>(out);
        format.setWriteMode(FileSystem.WriteMode.NO_OVERWRITE);
        env.fromData(lines).rebalance().writeUsingOutputFormat(format).setParallelism(2);
        env.execute("write a directory output to oss://");

        FileSystem fs = out.getFileSystem();
        FileStatus[] files = fs.listStatus(out);
        assertThat(files)
                .extracting(f -> f.getPath().getName())
                .containsExactlyInAnyOrder("1", "2");
        List<String> read = new ArrayList<>();
        for (FileStatus f : files) {
            try (BufferedReader r =
                    new BufferedReader(
                            new InputStreamReader(fs.open(f.getPath()), StandardCharsets.UTF_8))) {
                r.lines().forEach(read::add);
            }
        }
        assertThat(read).containsExactlyInAnyOrderElementsOf(lines);
    }
}
