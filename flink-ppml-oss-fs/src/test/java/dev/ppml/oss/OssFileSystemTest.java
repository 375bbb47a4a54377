package dev.ppml.oss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ppml.oss.testutils.FakeObjectStore;
import dev.ppml.oss.writer.OssWriterConfig;
import java.io.FileNotFoundException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The file system operations over an in-memory store. */
class OssFileSystemTest {

    private FakeObjectStore store;
    private ExecutorService executor;
    private OssFileSystem fs;

    @BeforeEach
    void setUp() {
        store = new FakeObjectStore();
        executor = Executors.newFixedThreadPool(2);
        fs =
                new OssFileSystem(
                        URI.create("oss://bucket/"),
                        store,
                        new OssWriterConfig(100 * 1024, List.of(), 2, 3, executor));
    }

    @AfterEach
    void tearDown() {
        executor.shutdownNow();
    }

    @Test
    void createWritesAVerifiedObjectOnlyOnClose() throws Exception {
        Path p = new Path("oss://bucket/chk/_metadata");
        byte[] data = new byte[250 * 1024];
        Arrays.fill(data, (byte) 7);
        try (FSDataOutputStream out = fs.create(p, FileSystem.WriteMode.NO_OVERWRITE)) {
            out.write(data);
            assertThat(store.objects).doesNotContainKey("chk/_metadata");
        }
        assertThat(store.objects.get("chk/_metadata")).isEqualTo(data);
        assertThatThrownBy(() -> fs.create(p, FileSystem.WriteMode.NO_OVERWRITE))
                .hasMessageContaining("already exists");
    }

    @Test
    void readsWithSeek() throws Exception {
        store.objects.put("f", "0123456789".getBytes(StandardCharsets.US_ASCII));
        try (FSDataInputStream in = fs.open(new Path("oss://bucket/f"))) {
            in.seek(7);
            assertThat(in.read()).isEqualTo('7');
            in.seek(2);
            byte[] b = new byte[3];
            assertThat(in.read(b)).isEqualTo(3);
            assertThat(new String(b, StandardCharsets.US_ASCII)).isEqualTo("234");
            in.seek(10);
            assertThat(in.read()).isEqualTo(-1);
        }
        assertThatThrownBy(() -> fs.open(new Path("oss://bucket/missing")))
                .isInstanceOf(FileNotFoundException.class);
    }

    @Test
    void listsStatusDeletesAndRenames() throws Exception {
        store.objects.put("d/a", new byte[3]);
        store.objects.put("d/sub/b", new byte[4]);
        store.objects.put("other", new byte[1]);

        FileStatus[] listed = fs.listStatus(new Path("oss://bucket/d"));
        assertThat(listed)
                .extracting(s -> s.getPath().toString(), FileStatus::isDir)
                .containsExactlyInAnyOrder(
                        Tuple.tuple("oss://bucket/d/a", false),
                        Tuple.tuple("oss://bucket/d/sub", true));
        assertThat(fs.getFileStatus(new Path("oss://bucket/d")).isDir()).isTrue();
        assertThat(fs.getFileStatus(new Path("oss://bucket/d/a")).getLen()).isEqualTo(3);
        assertThatThrownBy(() -> fs.getFileStatus(new Path("oss://bucket/nope")))
                .isInstanceOf(FileNotFoundException.class);

        assertThat(fs.rename(new Path("oss://bucket/d"), new Path("oss://bucket/e"))).isTrue();
        assertThat(store.objects).containsOnlyKeys("e/a", "e/sub/b", "other");

        assertThatThrownBy(() -> fs.delete(new Path("oss://bucket/e"), false))
                .hasMessageContaining("non-empty directory");
        assertThat(fs.delete(new Path("oss://bucket/e"), true)).isTrue();
        assertThat(store.objects).containsOnlyKeys("other");
    }

    @Test
    void pathsOfAnotherBucketAreRefused() {
        assertThatThrownBy(() -> fs.createRecoverableWriter().open(new Path("oss://elsewhere/x")))
                .hasMessageContaining("bucket elsewhere");
    }

    @Test
    void aDirectoryMadeByMkdirsExistsIsEmptyAndDeletes() throws Exception {
        Path dir = new Path("oss://bucket/out/run-1");
        assertThat(fs.exists(dir)).isFalse();
        assertThat(fs.mkdirs(dir)).isTrue();

        assertThat(fs.exists(dir)).isTrue();
        assertThat(fs.getFileStatus(dir).isDir()).isTrue();
        assertThat(fs.listStatus(dir)).isEmpty();
        assertThat(fs.exists(new Path("oss://bucket/out"))).isTrue();
        assertThat(fs.listStatus(new Path("oss://bucket/out")))
                .extracting(s -> s.getPath().toString(), FileStatus::isDir)
                .containsExactly(Tuple.tuple("oss://bucket/out/run-1", true));

        assertThat(fs.delete(dir, false)).isTrue();
        assertThat(fs.exists(dir)).isFalse();
        assertThat(store.objects).isEmpty();
    }

    @Test
    void mkdirsOverAFileFails() {
        store.objects.put("f", new byte[1]);
        assertThatThrownBy(() -> fs.mkdirs(new Path("oss://bucket/f")))
                .hasMessageContaining("it is a file");
    }

    @Test
    void aPathWithoutSchemeIsAKeyOfThisBucket() throws Exception {
        store.objects.put("dir/f", "abc".getBytes(StandardCharsets.US_ASCII));
        Path schemeless = new Path("/dir/f");
        assertThat(fs.exists(schemeless)).isTrue();
        assertThat(fs.getFileStatus(schemeless).getLen()).isEqualTo(3);
        try (FSDataInputStream in = fs.open(schemeless)) {
            assertThat(in.read()).isEqualTo('a');
        }
        assertThat(fs.listStatus(new Path("/dir"))).hasSize(1);
        try (FSDataOutputStream out =
                fs.create(new Path("/dir/g"), FileSystem.WriteMode.NO_OVERWRITE)) {
            out.write(1);
        }
        assertThat(store.objects).containsKey("dir/g");
        assertThat(fs.delete(schemeless, false)).isTrue();
        assertThat(store.objects).doesNotContainKey("dir/f");
    }
}
