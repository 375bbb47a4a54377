package dev.ppml.keys.local;

import dev.ppml.keys.KeyServiceException;
import dev.ppml.keys.KeyUri;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Who besides this process's user could read or replace a keystore: the file's owner and anyone who
 * may write to the file or to one of its directories. A keystore is trusted only if the file and
 * every directory above it are owned by this user or root, the file is a regular file with no group
 * or other permissions, and no directory is writable by group or others unless it has the sticky
 * bit (as {@code /tmp} does, where only an entry's owner may rename or remove it).
 *
 * <p>This matters most when jobs run as root: root can open any file, so the permission bits alone
 * do not stop it from using a key another user planted.
 *
 * <p>Restrictions: only POSIX file systems are checked; ACLs are not looked at.
 */
final class KeystoreAccess {
    private static final int ROOT_UID = 0;
    private static final int STICKY = 01000;

    private KeystoreAccess() {}

    /** Checks an existing keystore file and the directories it lives in. */
    static void checkKeystore(KeyUri keyUri, Path path) throws KeyServiceException {
        if (Files.getFileAttributeView(path, PosixFileAttributeView.class) == null) {
            return;
        }
        try {
            Path real = path.toRealPath();
            PosixFileAttributes attrs = posix(real);
            if (!attrs.isRegularFile()) {
                throw new KeyServiceException(
                        String.format(
                                "keystore %s for key URI '%s' is not a regular file",
                                path, keyUri));
            }
            checkOwner(keyUri, real, "keystore", path, attrs);
            Set<PosixFilePermission> tooOpen = new LinkedHashSet<>(attrs.permissions());
            tooOpen.removeIf(p -> p.name().startsWith("OWNER_"));
            if (!tooOpen.isEmpty()) {
                throw new KeyServiceException(
                        String.format(
                                "keystore %s for key URI '%s' is accessible by group or others"
                                        + " (%s); it must be readable by its owner only: run"
                                        + " 'chmod 600 %s'",
                                path,
                                keyUri,
                                PosixFilePermissions.toString(attrs.permissions()),
                                path));
            }
            checkDirectories(keyUri, path, real.getParent());
            Path nominal = path.toAbsolutePath().getParent();
            if (nominal != null && !nominal.toRealPath().equals(real.getParent())) {
                checkDirectories(keyUri, path, nominal.toRealPath()); // where the link lives
            }
        } catch (KeyServiceException e) {
            throw e;
        } catch (IOException e) {
            throw new KeyServiceException(
                    String.format(
                            "cannot check who may change keystore %s for key URI '%s': %s",
                            path, keyUri, e),
                    e);
        }
    }

    /** Checks the directory a keystore is about to be written to, and those above it. */
    static void checkDirectoryForCreate(KeyUri keyUri, Path path) throws KeyServiceException {
        Path dir = path.toAbsolutePath().getParent();
        if (Files.getFileAttributeView(dir, PosixFileAttributeView.class) == null) {
            return;
        }
        try {
            checkDirectories(keyUri, path, dir.toRealPath());
        } catch (KeyServiceException e) {
            throw e;
        } catch (IOException e) {
            throw new KeyServiceException(
                    String.format(
                            "cannot check who may change the directory of keystore %s for key URI"
                                    + " '%s': %s",
                            path, keyUri, e),
                    e);
        }
    }

    private static void checkDirectories(KeyUri keyUri, Path keystore, Path realDir)
            throws IOException, KeyServiceException {
        for (Path dir = realDir; dir != null; dir = dir.getParent()) {
            PosixFileAttributes attrs = posix(dir);
            checkOwner(keyUri, dir, "directory", keystore, attrs);
            Set<PosixFilePermission> perms = attrs.permissions();
            boolean othersWrite =
                    perms.contains(PosixFilePermission.GROUP_WRITE)
                            || perms.contains(PosixFilePermission.OTHERS_WRITE);
            if (othersWrite && !sticky(dir)) {
                throw new KeyServiceException(
                        String.format(
                                "directory %s of keystore %s for key URI '%s' is writable by group"
                                        + " or others (%s) without the sticky bit, so they can"
                                        + " replace the keystore: run 'chmod go-w %s' (or 'chmod"
                                        + " +t %s'), or keep the keystore in a directory only you"
                                        + " can write to",
                                dir,
                                keystore,
                                keyUri,
                                PosixFilePermissions.toString(perms),
                                dir,
                                dir));
            }
        }
    }

    private static void checkOwner(
            KeyUri keyUri, Path checked, String what, Path keystore, PosixFileAttributes attrs)
            throws IOException, KeyServiceException {
        int owner = (Integer) Files.getAttribute(checked, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        long self = currentUid();
        if (owner == self || owner == ROOT_UID) {
            return;
        }
        String subject =
                what.equals("keystore")
                        ? String.format("keystore %s for key URI '%s'", keystore, keyUri)
                        : String.format(
                                "directory %s of keystore %s for key URI '%s'",
                                checked, keystore, keyUri);
        throw new KeyServiceException(
                String.format(
                        "%s is owned by %s (uid %d), not by this process's user (uid %d) or"
                                + " root; its owner could read or replace the key: run 'chown %d"
                                + " %s' if you trust that user's key, else create a new keystore"
                                + " as this user",
                        subject, attrs.owner().getName(), owner, self, self, checked));
    }

    private static PosixFileAttributes posix(Path p) throws IOException {
        return Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }

    private static boolean sticky(Path dir) throws IOException {
        try {
            int mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & STICKY) != 0;
        } catch (UnsupportedOperationException e) {
            return false; // cannot tell: treat the directory as unprotected
        }
    }

    private static long currentUid() {
        return new com.sun.security.auth.module.UnixSystem().getUid();
    }
}
