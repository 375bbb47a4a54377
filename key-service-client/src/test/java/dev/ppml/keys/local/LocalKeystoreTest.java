package dev.ppml.keys.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.Aead;
import dev.ppml.keys.KeyReference;
import dev.ppml.keys.KeyServiceException;
import dev.ppml.keys.KeyServiceOptions;
import dev.ppml.keys.KeyServices;
import dev.ppml.keys.KeyUri;
import dev.ppml.keys.testing.KeyMaterial;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKeystoreTest {

    @TempDir Path dir;

    @BeforeEach
    void clearCache() {
        KeyServices.invalidateAll();
    }

    @Test
    void createsOwnerOnlyKeystoreThatRoundTrips() throws Exception {
        KeyUri uri = KeyUri.parse("local:" + dir.resolve("keys/master.json"));
        Path path = LocalKeystore.create(uri, false);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path)))
                .isEqualTo("rw-------");
        Aead aead = KeyReference.of(uri.toString(), KeyServiceOptions.empty()).unlock();
        byte[] ct = aead.encrypt("hello".getBytes(StandardCharsets.UTF_8), new byte[0]);
        assertThat(LocalKeystore.load(uri).decrypt(ct, new byte[0]))
                .isEqualTo("hello".getBytes(StandardCharsets.UTF_8));
        assertThat(Files.list(path.getParent())).containsExactly(path);
    }

    @Test
    void refusesToOverwriteUnlessForced() throws Exception {
        KeyUri uri = KeyUri.parse("local:" + dir.resolve("master.json"));
        LocalKeystore.create(uri, false);
        String before = Files.readString(LocalKeystore.pathOf(uri));

        assertThatThrownBy(() -> LocalKeystore.create(uri, false))
                .isInstanceOf(KeyServiceException.class)
                .hasMessageContaining("already exists")
                .hasMessageContaining("--force");
        assertThat(Files.readString(LocalKeystore.pathOf(uri))).isEqualTo(before);

        LocalKeystore.create(uri, true);
        assertThat(Files.readString(LocalKeystore.pathOf(uri))).isNotEqualTo(before);
    }

    @Test
    void missingKeystoreSaysHowToCreateIt() {
        KeyUri uri = KeyUri.parse("local:" + dir.resolve("absent.json"));
        assertThatThrownBy(
                        () -> KeyReference.of(uri.toString(), KeyServiceOptions.empty()).unlock())
                .isInstanceOf(KeyServiceException.class)
                .hasMessageContaining("does not exist")
                .isInstanceOf(LocalKeystore.MissingKeystoreException.class)
                .hasMessageContaining("does not exist; create a development keystore there first");
    }

    @Test
    void groupReadableKeystoreIsRefusedWithChmodAdvice() throws Exception {
        KeyUri uri = KeyUri.parse("local:" + dir.resolve("master.json"));
        Path path = LocalKeystore.create(uri, false);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(
                        () -> KeyReference.of(uri.toString(), KeyServiceOptions.empty()).unlock())
                .isInstanceOf(KeyServiceException.class)
                .hasMessageContaining("rw-r--r--")
                .hasMessageContaining("chmod 600 " + path);
    }

    @Test
    void corruptKeystoreErrorNamesUriButNotItsContent() throws Exception {
        KeyUri uri = KeyUri.parse("local:" + dir.resolve("master.json"));
        Path path = LocalKeystore.create(uri, false);
        String json = Files.readString(path);
        Files.writeString(path, json.substring(0, json.length() / 2));

        Throwable t = Assertions.catchThrowable(() -> LocalKeystore.load(uri));
        assertThat(t)
                .isInstanceOf(KeyServiceException.class)
                .hasMessageContaining(uri.toString())
                .hasMessageContaining("not a valid Tink AEAD keyset")
                .hasNoCause();
        Files.writeString(path, json);
        assertThat(KeyMaterial.leakedInto(t.getMessage(), path)).isEmpty();
        assertThat(t.getMessage()).doesNotContain(json.substring(0, json.length() / 2));
    }

    @Test
    void emptyLocationIsRejected() {
        assertThatThrownBy(() -> LocalKeystore.pathOf(KeyUri.parse("local://")))
                .isInstanceOf(KeyServiceException.class)
                .hasMessageContaining("names no keystore file");
    }

    @Test
    void tripleSlashFormNamesAnAbsolutePath() throws Exception {
        assertThat(LocalKeystore.pathOf(KeyUri.parse("local:///tmp/k.json")))
                .isEqualTo(Path.of("/tmp/k.json"));
    }

    /** uid of {@code nobody}: a user other than the one running the tests. */
    static final int OTHER_UID = 65534;

    private static void unlock(KeyUri uri) throws Exception {
        KeyReference.of(uri.toString(), KeyServiceOptions.empty()).unlock();
    }

    @Test
    void keystoreOwnedByAnotherUserIsRefusedWithChownAdvice() throws Exception {
        assumeRoot();
        KeyUri uri = KeyUri.parse("local:" + dir.resolve("master.json"));
        Path path = LocalKeystore.create(uri, false);
        Files.setAttribute(path, "unix:uid", OTHER_UID);

        assertThatThrownBy(() -> unlock(uri))
                .isInstanceOf(KeyServiceException.class)
                .hasMessageContaining("keystore " + path + " for key URI '" + uri + "'")
                .hasMessageContaining("(uid " + OTHER_UID + "), not by this process's user (uid 0)")
                .hasMessageContaining("run 'chown 0 " + path + "'");
        assertThatThrownBy(() -> LocalKeystore.load(uri)).isInstanceOf(KeyServiceException.class);
    }

    @Test
    void groupOrWorldWritableKeystoreIsRefused() throws Exception {
        KeyUri uri = KeyUri.parse("local:" + dir.resolve("master.json"));
        Path path = LocalKeystore.create(uri, false);
        for (String mode : List.of("rw--w----", "rw-----w-", "rw-rw-rw-", "rw----r--")) {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(mode));
            assertThatThrownBy(() -> LocalKeystore.load(uri))
                    .as(mode)
                    .hasMessageContaining("accessible by group or others (" + mode + ")")
                    .hasMessageContaining("chmod 600 " + path);
        }
    }

    @Test
    void directoryWritableByOthersWithoutStickyBitIsRefusedForReadingAndCreating()
            throws Exception {
        Path shared = Files.createDirectory(dir.resolve("shared"));
        KeyUri uri = KeyUri.parse("local:" + shared.resolve("master.json"));
        Path path = LocalKeystore.create(uri, false);
        for (String mode : List.of("rwxrwxrwx", "rwxrwx---", "rwx----wx")) {
            Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString(mode));
            assertThatThrownBy(() -> LocalKeystore.load(uri))
                    .as(mode)
                    .isInstanceOf(KeyServiceException.class)
                    .hasMessageContaining(
                            "directory " + shared + " of keystore " + path + " for key URI")
                    .hasMessageContaining("writable by group or others (" + mode + ")")
                    .hasMessageContaining("without the sticky bit")
                    .hasMessageContaining("chmod go-w " + shared);
            String before = Files.readString(path);
            assertThatThrownBy(() -> LocalKeystore.create(uri, true))
                    .as("creating in " + mode)
                    .hasMessageContaining("without the sticky bit");
            assertThat(Files.readString(path)).isEqualTo(before);
            assertThat(Files.list(shared)).containsExactly(path);
        }
        Files.setAttribute(shared, "unix:mode", 01777);
        assertThat(LocalKeystore.load(uri)).as("sticky, like /tmp").isNotNull();
        LocalKeystore.create(uri, true);
    }

    @Test
    void directoryOwnedByAnotherUserIsRefused() throws Exception {
        assumeRoot();
        Path theirs = Files.createDirectory(dir.resolve("theirs"));
        KeyUri uri = KeyUri.parse("local:" + theirs.resolve("master.json"));
        Path path = LocalKeystore.create(uri, false);
        Files.setAttribute(theirs, "unix:uid", OTHER_UID);
        assertThatThrownBy(() -> LocalKeystore.load(uri))
                .hasMessageContaining("directory " + theirs + " of keystore " + path)
                .hasMessageContaining("(uid " + OTHER_UID + ")");
        assertThatThrownBy(() -> LocalKeystore.create(uri, true))
                .hasMessageContaining("directory " + theirs + " of keystore " + path);
    }

    @Test
    void newDirectoriesAreOwnerOnlyAndTheKeyIsNeverOpenToOthers() throws Exception {
        KeyUri uri = KeyUri.parse("local:" + dir.resolve("a/b/master.json"));
        Path path = LocalKeystore.create(uri, false);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a"))))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path.getParent())))
                .isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path)))
                .isEqualTo("rw-------");
    }

    @Test
    void aSymlinkedKeystoreIsCheckedWhereTheLinkAndWhereTheFileLive() throws Exception {
        Path safe = Files.createDirectory(dir.resolve("safe"));
        Path open = Files.createDirectory(dir.resolve("open"));
        Path inSafe = LocalKeystore.create(KeyUri.parse("local:" + safe.resolve("k.json")), false);
        Path inOpen = LocalKeystore.create(KeyUri.parse("local:" + open.resolve("k.json")), false);
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));

        KeyUri linkInOpen = KeyUri.parse("local:" + open.resolve("link.json"));
        Files.createSymbolicLink(LocalKeystore.pathOf(linkInOpen), inSafe);
        assertThatThrownBy(() -> LocalKeystore.load(linkInOpen))
                .hasMessageContaining("directory " + open + " of keystore");

        KeyUri linkInSafe = KeyUri.parse("local:" + safe.resolve("link.json"));
        Files.createSymbolicLink(LocalKeystore.pathOf(linkInSafe), inOpen);
        assertThatThrownBy(() -> LocalKeystore.load(linkInSafe))
                .hasMessageContaining("directory " + open + " of keystore");

        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwx------"));
        assertThat(LocalKeystore.load(linkInSafe)).isNotNull();
    }

    private static void assumeRoot() throws Exception {
        Path probe = Files.createTempFile("uid", ".probe");
        try {
            Assumptions.assumeTrue(
                    (Integer) Files.getAttribute(probe, "unix:uid") == 0,
                    "changing a file's owner needs root");
        } finally {
            Files.delete(probe);
        }
    }
}
