package dev.ppml.oss.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ppml.oss.OssMetrics;
import dev.ppml.oss.testutils.FakeObjectStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.apache.flink.core.fs.RecoverableFsDataOutputStream;
import org.apache.flink.core.fs.RecoverableWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer's protocol against an in-memory store with the faults of DESIGN.md §7. */
class OssRecoverableWriterTest {

    private static final int PART = 1024;
    private static final org.apache.flink.core.fs.Path TARGET =
            new org.apache.flink.core.fs.Path("oss://bucket/dir/file.ppml");

    @TempDir Path buffers;
    private FakeObjectStore store;
    private ExecutorService executor;
    private OssRecoverableWriter writer;

    @BeforeEach
    void setUp() {
        store = new FakeObjectStore();
        executor = Executors.newFixedThreadPool(2);
        writer = writer(List.of());
    }

    @AfterEach
    void tearDown() {
        executor.shutdownNow();
    }

    private OssRecoverableWriter writer(List<Path> dirs) {
        return new OssRecoverableWriter(
                b -> store, new OssWriterConfig(PART, dirs, 2, 3, executor));
    }

    @Test
    void writesAndCommitsAVerifiedObject() throws Exception {
        byte[] data = random(PART * 2 + 300);
        RecoverableFsDataOutputStream out = writer.open(TARGET);
        out.write(data);
        out.closeForCommit().commit();

        assertThat(store.objects.get("dir/file.ppml")).isEqualTo(data);
        assertThat(store.uploadPartCalls).hasValue(3);
        assertThat(store.uploads).isEmpty();
    }

    @Test
    void persistThenResumeAfterAFailureCompletesTheSameUpload() throws Exception {
        byte[] data = random(PART * 3 + 500);
        RecoverableFsDataOutputStream out = writer.open(TARGET);
        out.write(data, 0, PART + 700);
        RecoverableWriter.ResumeRecoverable checkpoint = out.persist();
        out.write(data, PART + 700, 100); // lost with the "crash"
        out.close();

        byte[] state = writer.getResumeRecoverableSerializer().serialize(checkpoint);
        RecoverableWriter.ResumeRecoverable restored =
                writer.getResumeRecoverableSerializer()
                        .deserialize(OssRecoverableSerializer.VERSION, state);
        RecoverableFsDataOutputStream resumed = writer.recover(restored);
        assertThat(resumed.getPos()).isEqualTo(PART + 700);
        resumed.write(data, PART + 700, data.length - PART - 700);
        resumed.closeForCommit().commit();

        assertThat(store.objects.get("dir/file.ppml")).isEqualTo(data);
        String tail = ((OssRecoverable) restored).tailKey();
        assertThat(tail).startsWith("dir/_file.ppml_tmp_");
        assertThat(writer.cleanupRecoverableState(restored)).isTrue();
        assertThat(store.objects).doesNotContainKey(tail);
    }

    @Test
    void diskBuffersKeepTakingBytesAfterAPersist() throws Exception {
        OssRecoverableWriter disk = writer(List.of(buffers));
        byte[] data = random(PART * 2 + 300);
        RecoverableFsDataOutputStream out = disk.open(TARGET);
        out.write(data, 0, 300);
        out.persist(); // seals the disk buffer of the unfinished part to upload it as the tail
        out.write(data, 300, data.length - 300);
        out.closeForCommit().commit();
        assertThat(store.objects.get("dir/file.ppml")).isEqualTo(data);
    }

    @Test
    void aBitFlippedOnTheWireIsDetectedAndThePartUploadedAgain() throws Exception {
        long before = OssMetrics.crcMismatches();
        store.flipNext.add(2);
        byte[] data = random(PART * 3);
        RecoverableFsDataOutputStream out = writer.open(TARGET);
        out.write(data);
        out.closeForCommit().commit();

        assertThat(store.objects.get("dir/file.ppml")).isEqualTo(data);
        assertThat(store.uploadPartCalls).hasValue(4);
        assertThat(OssMetrics.crcMismatches()).isEqualTo(before + 1);
    }

    @Test
    void aDroppedPartFailsTheWriteAndNothingIsCompleted() throws Exception {
        store.dropAlways.add(2);
        RecoverableFsDataOutputStream out = writer.open(TARGET);
        out.write(random(PART * 3));
        assertThatThrownBy(out::closeForCommit)
                .isInstanceOf(IOException.class)
                .hasMessageContaining("part 2 of oss://bucket/dir/file.ppml")
                .hasMessageContaining("acknowledged without an ETag");
        assertThat(store.completeCalls).hasValue(0);
        assertThat(store.objects).doesNotContainKey("dir/file.ppml");
    }

    @Test
    void aByteFlippedInADiskBufferIsCaughtBeforeUpload() throws Exception {
        List<Runnable> queued = new ArrayList<>();
        OssRecoverableWriter w =
                new OssRecoverableWriter(
                        b -> store, new OssWriterConfig(PART, List.of(buffers), 2, 3, queued::add));
        RecoverableFsDataOutputStream out = w.open(TARGET);
        out.write(random(PART));
        Path buffer;
        try (Stream<Path> files = Files.list(buffers)) {
            // the sealed part's buffer, not the next, still empty one
            buffer = files.filter(f -> f.toFile().length() == PART).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(buffer);
        bytes[100] ^= 0x01;
        Files.write(buffer, bytes);
        queued.forEach(Runnable::run);

        assertThatThrownBy(out::closeForCommit)
                .hasMessageContaining(
                        "local buffer of part 1 of oss://bucket/dir/file.ppml is corrupted");
        assertThat(store.uploadPartCalls).hasValue(0);
        assertThat(store.completeCalls).hasValue(0);
    }

    @Test
    void commitAfterRecoveryOfAnAlreadyCommittedFileSucceeds() throws Exception {
        RecoverableFsDataOutputStream out = writer.open(TARGET);
        out.write(random(PART + 1));
        RecoverableFsDataOutputStream.Committer committer = out.closeForCommit();
        RecoverableWriter.CommitRecoverable r = committer.getRecoverable();
        committer.commit();

        writer.recoverForCommit(r).commitAfterRecovery();
        assertThat(store.objects).containsKey("dir/file.ppml");
    }

    @Test
    void commitAfterRecoveryFailsLoudlyWhenTheObjectIsMissingOrDifferent() throws Exception {
        RecoverableFsDataOutputStream out = writer.open(TARGET);
        out.write(random(PART + 1));
        RecoverableWriter.CommitRecoverable r = out.closeForCommit().getRecoverable();
        store.uploads.clear(); // the upload expired

        assertThatThrownBy(() -> writer.recoverForCommit(r).commitAfterRecovery())
                .hasMessageContaining("multipart upload")
                .hasMessageContaining("is gone and the object does not exist");

        store.objects.put("dir/file.ppml", new byte[PART + 1]); // same size, other bytes
        assertThatThrownBy(() -> writer.recoverForCommit(r).commitAfterRecovery())
                .hasMessageContaining("instead of 1025 bytes");
    }

    @Test
    void anObjectThatDoesNotVerifyAfterCompletionIsDeleted() throws Exception {
        long failures = OssMetrics.commitFailures();
        store.corruptOnComplete = true;
        RecoverableFsDataOutputStream out = writer.open(TARGET);
        out.write(random(PART * 2));
        assertThatThrownBy(() -> out.closeForCommit().commit())
                .hasMessageContaining("deleted oss://bucket/dir/file.ppml after completing it");
        assertThat(store.objects).doesNotContainKey("dir/file.ppml");
        assertThat(OssMetrics.commitFailures()).isGreaterThan(failures);
    }

    @Test
    void aCompletionResponseWithTheObjectsCrc64NeedsNoHead() throws Exception {
        RecoverableFsDataOutputStream out = writer.open(TARGET);
        out.write(random(PART + 10));
        out.closeForCommit().commit();
        assertThat(store.headCalls).hasValue(0);
        assertThat(store.objects).containsKey("dir/file.ppml");
    }

    @Test
    void withoutACrc64InTheCompletionResponseTheObjectIsCheckedByHead() throws Exception {
        store.crcInCompleteResponse = false;
        RecoverableFsDataOutputStream out = writer.open(TARGET);
        out.write(random(PART + 10));
        out.closeForCommit().commit();
        assertThat(store.headCalls).hasValue(1);

        store.corruptOnComplete = true;
        RecoverableFsDataOutputStream second = writer.open(TARGET);
        second.write(random(PART + 10));
        assertThatThrownBy(() -> second.closeForCommit().commit())
                .hasMessageContaining("deleted oss://bucket/dir/file.ppml after completing it")
                .hasMessageContaining("the completed object has");
        assertThat(store.objects).doesNotContainKey("dir/file.ppml");
    }

    @Test
    void resumingAnExpiredUploadSaysSo() throws Exception {
        RecoverableFsDataOutputStream out = writer.open(TARGET);
        out.write(random(PART + 10));
        RecoverableWriter.ResumeRecoverable r = out.persist();
        store.uploads.clear();
        assertThatThrownBy(() -> writer.recover(r))
                .hasMessageContaining("no longer exists")
                .hasMessageContaining("lifecycle");
    }

    @Test
    void emptyFilesCommit() throws Exception {
        writer.open(TARGET).closeForCommit().commit();
        assertThat(store.objects.get("dir/file.ppml")).isEmpty();
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @Test
    void cleanupSaysWhetherItDeletedATailAndNeverThrows() throws Exception {
        RecoverableFsDataOutputStream out = writer.open(TARGET);
        RecoverableWriter.ResumeRecoverable empty = out.persist();
        out.write(random(100));
        RecoverableWriter.ResumeRecoverable withTail = out.persist();
        RecoverableWriter.ResumeRecoverable failing = out.persist();
        out.closeForCommit().commit();
        String tail = ((OssRecoverable) withTail).tailKey();
        assertThat(store.objects).containsKey(tail);

        assertThat(writer.cleanupRecoverableState(empty)).isFalse();
        assertThat(writer.cleanupRecoverableState(withTail)).isTrue();
        assertThat(store.objects).doesNotContainKey(tail);
        assertThat(writer.cleanupRecoverableState(withTail)).isFalse();

        store.failNextDeletes.set(1);
        assertThat(writer.cleanupRecoverableState(failing)).isFalse();
        assertThat(store.objects).containsKey(((OssRecoverable) failing).tailKey());
    }
}
