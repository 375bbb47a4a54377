package dev.ppml.oss;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ppml.oss.testing.OssTestServer;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigConstants;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystemFactory;
import org.apache.flink.core.fs.RecoverableFsDataOutputStream;
import org.apache.flink.core.fs.RecoverableWriter;
import org.apache.flink.core.plugin.PluginManager;
import org.apache.flink.core.plugin.PluginUtils;
import org.junit.jupiter.api.Test;

/**
 * The plugin jar as a Flink cluster loads it: copied to {@code plugins/ppml-oss/}, found by Flink's
 * own {@link PluginUtils} plugin manager with Flink's default parent-first patterns, and used
 * through its own class loader to write, commit (CRC64-verified) and read an object on the OSS test
 * server. The jar holds the SDK relocated, and nothing of the other modules.
 */
class OssPluginJarITCase {

    private static final Path PLUGIN_JAR = Path.of(System.getProperty("oss.plugin.jar"));

    @Test
    void thePluginJarHoldsTheFileSystemAndTheRelocatedSdkOnly() throws Exception {
        assertThat(PLUGIN_JAR).as("the plugin jar (built in the package phase)").exists();
        List<String> entries;
        String factories;
        try (JarFile jar = new JarFile(PLUGIN_JAR.toFile())) {
            entries = jar.stream().map(e -> e.getName()).collect(Collectors.toList());
            try (InputStream in =
                    jar.getInputStream(
                            jar.getEntry(
                                    "META-INF/services/org.apache.flink.core.fs.FileSystemFactory"))) {
                factories = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            }
        }
        assertThat(factories).isEqualTo(OssFileSystemFactory.class.getName());
        assertThat(entries)
                .contains(
                        "dev/ppml/oss/OssFileSystem.class",
                        "dev/ppml/oss/writer/OssCommitter.class")
                .anyMatch(e -> e.startsWith("dev/ppml/shaded/com/aliyun/oss/"))
                .noneMatch(e -> e.startsWith("com/aliyun/"))
                .noneMatch(e -> e.startsWith("org/apache/http/"))
                .noneMatch(e -> e.startsWith("org/apache/flink/"))
                .noneMatch(e -> e.startsWith("org/slf4j/"))
                .noneMatch(e -> e.startsWith("dev/ppml/connector/"))
                .noneMatch(e -> e.startsWith("dev/ppml/keys/"));
    }

    @Test
    void flinksPluginManagerLoadsItAndItWritesVerifiedObjects() throws Exception {
        // Flink finds plugins in $FLINK_PLUGINS_DIR (the build sets it for this test)
        Path pluginsDir = Path.of(System.getenv(ConfigConstants.ENV_FLINK_PLUGINS_DIR));
        Path plugin = Files.createDirectories(pluginsDir.resolve("ppml-oss"));
        Files.copy(
                PLUGIN_JAR,
                plugin.resolve(PLUGIN_JAR.getFileName()),
                StandardCopyOption.REPLACE_EXISTING);
        Configuration conf = new Configuration();

        try (OssTestServer server = OssTestServer.start()) {
            server.createBucket("bkt");
            conf.set(OssOptions.ENDPOINT, server.endpoint());
            conf.set(OssOptions.ACCESS_KEY_ID, OssTestServer.ACCESS_KEY_ID);
            conf.set(OssOptions.ACCESS_KEY_SECRET, OssTestServer.ACCESS_KEY_SECRET);

            PluginManager manager = PluginUtils.createPluginManagerFromRootFolder(conf);
            List<FileSystemFactory> factories = new ArrayList<>();
            Iterator<FileSystemFactory> it = manager.load(FileSystemFactory.class);
            it.forEachRemaining(factories::add);
            assertThat(factories).hasSize(1);
            FileSystemFactory factory = factories.get(0);
            assertThat(factory.getScheme()).isEqualTo("oss");
            assertThat(factory.getClass().getClassLoader())
                    .as("loaded by the plugin's own class loader, not the test's")
                    .isNotSameAs(OssFileSystemFactory.class.getClassLoader());
            assertThat(factory.getClass()).isNotSameAs(OssFileSystemFactory.class);

            factory.configure(conf);
            FileSystem fs = factory.create(URI.create("oss://bkt/"));
            org.apache.flink.core.fs.Path path =
                    new org.apache.flink.core.fs.Path("oss://bkt/dir/part-0");
            RecoverableWriter writer = fs.createRecoverableWriter();
            RecoverableFsDataOutputStream out = writer.open(path);
            byte[] data =
                    "written through the plugin\n".repeat(1000).getBytes(StandardCharsets.UTF_8);
            out.write(data);
            out.closeForCommit().commit();

            assertThat(server.objectBytes("bkt", "dir/part-0")).isEqualTo(data);
            try (FSDataInputStream in = fs.open(path)) {
                assertThat(in.readAllBytes()).isEqualTo(data);
            }
            assertThat(fs.getFileStatus(path).getLen()).isEqualTo(data.length);
        }
    }
}
