package dev.ppml.keys.local;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import dev.ppml.keys.InvalidKeyReferenceException;
import dev.ppml.keys.KeyServiceException;
import dev.ppml.keys.KeyServices;
import dev.ppml.keys.KeyUri;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.Set;

/**
 * A development keystore: one file holding the Tink keyset (AES256-GCM) of a master key, in Tink's
 * JSON keyset format, readable by its owner only (mode 0600).
 *
 * <p>Security guarantees: a keystore is used or written only if nobody but this process's user (or
 * root) could have read or replaced it. The file and every directory above it must be owned by this
 * user or root, the file must have no group or other permissions, and no directory may be writable
 * by group or others unless it has the sticky bit. New keystores are created with mode 0600 (new
 * directories 0700) and moved into place atomically.
 *
 * <p>Restrictions: the key is stored in clear on local disk. It is meant for development and the
 * demo; production keys live in a key broker ({@code kbs://}) or come from the Confidential Data
 * Hub ({@code cdh://}).
 */
public final class LocalKeystore {

    /** The key URI scheme served by this keystore. */
    public static final String SCHEME = "local";

    private static final Set<PosixFilePermission> OWNER_ONLY =
            PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR =
            PosixFilePermissions.fromString("rwx------");

    private LocalKeystore() {}

    /** The keystore path named by a {@code local:} key URI. */
    public static Path pathOf(KeyUri keyUri) throws InvalidKeyReferenceException {
        if (!SCHEME.equals(keyUri.scheme())) {
            throw new InvalidKeyReferenceException(
                    String.format("key URI '%s' is not a local: key URI", keyUri));
        }
        String location = keyUri.schemeSpecificPart();
        if (location.startsWith("//")) {
            location = location.substring(2); // tolerate local:///abs/path
        }
        if (location.isBlank()) {
            throw new InvalidKeyReferenceException(
                    String.format(
                            "key URI '%s' names no keystore file; expected local:/path/to/keyset.json",
                            keyUri));
        }
        return Paths.get(location);
    }

    /**
     * Creates a new master key and writes it to the keystore file of {@code keyUri}, owner-only.
     *
     * @param force replace an existing keystore (everything encrypted under the old key becomes
     *     unreadable)
     * @return the keystore path
     */
    public static Path create(KeyUri keyUri, boolean force) throws KeyServiceException {
        KeyServices.registerTink();
        Path path = pathOf(keyUri).toAbsolutePath();
        if (Files.exists(path) && !force) {
            throw new KeyServiceException(
                    String.format(
                            "keystore %s for key URI '%s' already exists; refusing to overwrite it"
                                    + " (data encrypted under it would become unreadable). Pass"
                                    + " --force to replace it anyway.",
                            path, keyUri));
        }
        String json;
        try {
            KeysetHandle handle = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
            json = TinkJsonProtoKeysetFormat.serializeKeyset(handle, InsecureSecretKeyAccess.get());
        } catch (GeneralSecurityException e) {
            throw new KeyServiceException("cannot generate a master key: " + e.getClass(), e);
        }
        Path dir = path.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir, ownerOnlyAttribute(dir, OWNER_ONLY_DIR));
            // Before any key material is written: nobody else may be able to swap the file.
            KeystoreAccess.checkDirectoryForCreate(keyUri, path);
            // Owner-only from the start (the mode is set by the create call itself, so there is
            // no moment when the key is readable by others), then moved into place atomically.
            tmp =
                    Files.createTempFile(
                            dir, ".keystore-", ".tmp", ownerOnlyAttribute(dir, OWNER_ONLY));
            Files.write(tmp, json.getBytes(StandardCharsets.UTF_8));
            try {
                Files.move(
                        tmp,
                        path,
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            KeystoreAccess.checkKeystore(keyUri, path);
        } catch (KeyServiceException e) {
            throw e;
        } catch (FileAlreadyExistsException e) {
            throw new KeyServiceException(
                    String.format("keystore %s appeared while it was being created", path));
        } catch (IOException e) {
            throw new KeyServiceException(
                    String.format(
                            "cannot write keystore %s for key URI '%s': %s",
                            path, keyUri, e.getMessage()),
                    e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temp file is owner-only
                }
            }
        }
        return path;
    }

    /** Loads the master key's AEAD from the keystore named by {@code keyUri}. */
    static Aead load(KeyUri keyUri) throws KeyServiceException {
        KeyServices.registerTink();
        Path path = pathOf(keyUri).toAbsolutePath();
        checkPermissions(keyUri, path);
        String json;
        try {
            json = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw missing(keyUri, path);
        } catch (IOException e) {
            throw new KeyServiceException(
                    String.format(
                            "cannot read keystore %s for key URI '%s': %s",
                            path, keyUri, e.getClass().getSimpleName()),
                    e);
        }
        try {
            KeysetHandle handle =
                    TinkJsonProtoKeysetFormat.parseKeyset(json, InsecureSecretKeyAccess.get());
            return handle.getPrimitive(RegistryConfiguration.get(), Aead.class);
        } catch (GeneralSecurityException | RuntimeException e) {
            // The parser's message may quote the file's content, i.e. key material: not chained.
            throw new KeyServiceException(
                    String.format(
                            "keystore %s for key URI '%s' is not a valid Tink AEAD keyset (%s)."
                                    + " Restore it from your backup, or replace it with a new"
                                    + " keystore (files encrypted under the old key stay"
                                    + " unreadable).",
                            path, keyUri, e.getClass().getSimpleName()));
        }
    }

    private static void checkPermissions(KeyUri keyUri, Path path) throws KeyServiceException {
        if (!Files.exists(path)) {
            throw missing(keyUri, path);
        }
        KeystoreAccess.checkKeystore(keyUri, path);
    }

    private static KeyServiceException missing(KeyUri keyUri, Path path) {
        return new MissingKeystoreException(keyUri, path);
    }

    /** The keystore a {@code local:} key URI names does not exist. */
    public static final class MissingKeystoreException extends KeyServiceException {
        private static final long serialVersionUID = 1L;

        private final String keyUri;

        MissingKeystoreException(KeyUri keyUri, Path path) {
            super(
                    String.format(
                            "keystore %s for key URI '%s' does not exist; create a development"
                                    + " keystore there first",
                            path, keyUri));
            this.keyUri = keyUri.toString();
        }

        /** The key URI whose keystore is missing. */
        public String keyUri() {
            return keyUri;
        }
    }

    private static FileAttribute<?>[] ownerOnlyAttribute(Path dir, Set<PosixFilePermission> perms) {
        Path existing = dir;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null
                || Files.getFileAttributeView(existing, PosixFileAttributeView.class) == null) {
            return new FileAttribute<?>[0];
        }
        return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(perms)};
    }
}
