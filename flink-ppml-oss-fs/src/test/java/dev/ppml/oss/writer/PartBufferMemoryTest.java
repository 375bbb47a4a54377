package dev.ppml.oss.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ppml.oss.OssFileSystemFactory;
import dev.ppml.oss.OssMetrics;
import dev.ppml.oss.OssOptions;
import dev.ppml.oss.testutils.FakeObjectStore;
import java.io.InputStream;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.IllegalConfigurationException;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.core.fs.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One open file's memory part buffers stay within {@code fs.oss.upload.max-buffered-memory} however
 * large the file and however slow the uploads: buffers grow in fixed chunks from a bounded pool and
 * the writer waits for memory instead of exceeding it.
 */
class PartBufferMemoryTest {
    private static final int MIB = 1 << 20;
    private final ExecutorService uploads = Executors.newFixedThreadPool(8);

    @AfterEach
    void stop() {
        uploads.shutdownNow();
    }

    @Test
    void aLargeFileWithLaggingUploadsNeverHoldsMoreThanTheBound() throws Exception {
        FakeObjectStore store = new FakeObjectStore();
        // 1.5 MiB parts take two 1 MiB chunks each; 5 MiB hold two parts and a chunk. The
        // concurrency of 8 would allow more: the pool alone must keep the bound.
        int partSize = 3 * MIB / 2;
        long bound = 5L * MIB;
        OssWriterConfig config =
                new OssWriterConfig(partSize, List.of(), 8, 3, this::slowly, bound);
        byte[] data = new byte[40 * MIB + 12345];
        new Random(7).nextBytes(data);

        OssRecoverableFsDataOutputStream out =
                (OssRecoverableFsDataOutputStream)
                        new OssRecoverableWriter(b -> store, config)
                                .open(new Path("oss://bucket/big.bin"));
        long bufferedBefore = OssMetrics.bufferedBytes();
        for (int off = 0; off < data.length; off += 100_000) {
            out.write(data, off, Math.min(100_000, data.length - off));
        }
        // the JVM-wide gauge counts this file's pool while it is open, and lets go of it after
        assertThat(OssMetrics.bufferedBytes() - bufferedBefore).isEqualTo(out.peakBufferedBytes());
        out.closeForCommit().commit();
        assertThat(OssMetrics.bufferedBytes()).isEqualTo(bufferedBefore);

        assertThat(store.objects.get("big.bin")).isEqualTo(data);
        // the uploads lagged enough to fill the pool, and the pool held
        assertThat(out.peakBufferedBytes()).isGreaterThan(bound / 2).isLessThanOrEqualTo(bound);
    }

    @Test
    void aPartIsSentFromItsChunksAndCanBeRewound() throws Exception {
        BufferPool pool = new BufferPool(1000, 10_000);
        PartBuffer buffer = PartBuffer.inMemory(pool);
        byte[] data = new byte[3500];
        new Random(3).nextBytes(data);
        buffer.write(data, 0, 1200);
        buffer.write(data, 1200, 2300);
        try (InputStream in = buffer.open()) {
            in.mark(Integer.MAX_VALUE);
            assertThat(in.readNBytes(1700)).isEqualTo(Arrays.copyOf(data, 1700));
            in.reset();
            assertThat(in.readAllBytes()).isEqualTo(data);
            assertThat(in.read()).isEqualTo(-1);
        }
        assertThat(pool.peakAllocatedBytes()).isEqualTo(4000);
        buffer.close();
        // the chunks came back: a new buffer of the same size allocates none
        PartBuffer again = PartBuffer.inMemory(pool);
        again.write(data, 0, data.length);
        assertThat(pool.peakAllocatedBytes()).isEqualTo(4000);
        again.close();
    }

    @Test
    void aBoundSmallerThanOnePartIsRefusedNamingBothOptions() {
        Configuration conf = new Configuration();
        conf.set(OssOptions.ENDPOINT, "http://127.0.0.1:9");
        conf.set(OssOptions.ACCESS_KEY_ID, "id");
        conf.set(OssOptions.ACCESS_KEY_SECRET, "not-a-secret");
        conf.set(OssOptions.PART_SIZE, MemorySize.parse("16mb"));
        conf.set(OssOptions.MAX_BUFFERED_MEMORY, MemorySize.parse("8mb"));
        OssFileSystemFactory factory = new OssFileSystemFactory();
        factory.configure(conf);
        for (int attempt = 0; attempt < 2; attempt++) {
            assertThatThrownBy(() -> factory.create(URI.create("oss://bucket/")))
                    .isInstanceOf(IllegalConfigurationException.class)
                    .hasMessageContaining("'fs.oss.upload.max-buffered-memory' is 8388608 bytes")
                    .hasMessageContaining("'fs.oss.upload.part-size'")
                    .hasMessageContaining("fs.oss.upload.buffer-dirs");
        }
    }

    /** Uploads that lag behind the writer. */
    private void slowly(Runnable upload) {
        uploads.execute(
                () -> {
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    upload.run();
                });
    }
}
