package dev.ppml.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ppml.k8s.testutils.Project;
import dev.ppml.k8s.testutils.Yaml;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image recipe (k8s/docker/Dockerfile) and its build script: the base image is the pom's Flink
 * on Java 17, the image gets exactly our two artifacts at the paths the manifests use, each comes
 * from the Maven build, and no second {@code oss://} plugin is switched on.
 */
class ImageRecipeTest {
    private static final Path DOCKER = Project.k8sDir().resolve("docker");

    /** The two artifacts, as reactor paths, and where the image keeps them. */
    static Map<String, String> expectedArtifacts() {
        String v = Project.version();
        Map<String, String> m = new LinkedHashMap<>();
        m.put(
                "flink-ppml-oss-fs/target/flink-ppml-oss-fs-" + v + "-plugin.jar",
                "/opt/flink/plugins/ppml-oss/");
        m.put("flink-ppml-jobs/target/flink-ppml-jobs-" + v + ".jar", "/opt/flink/usrlib/");
        return m;
    }

    record Instruction(String keyword, String arguments) {}

    static List<Instruction> dockerfile() {
        List<Instruction> out = new ArrayList<>();
        String text = Project.read(DOCKER.resolve("Dockerfile")).replace("\\\n", " ");
        for (String line : text.split("\n")) {
            String l = line.trim();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int space = l.indexOf(' ');
            out.add(
                    new Instruction(
                            l.substring(0, space).toUpperCase(), l.substring(space + 1).trim()));
        }
        return out;
    }

    /** The Dockerfile's ARG defaults. */
    static Map<String, String> args() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Instruction i : dockerfile()) {
            if (i.keyword().equals("ARG") && i.arguments().contains("=")) {
                String[] kv = i.arguments().split("=", 2);
                out.put(kv[0], kv[1]);
            }
        }
        return out;
    }

    static String substitute(String s, Map<String, String> vars) {
        Matcher m = Pattern.compile("\\$\\{(\\w+)}|\\$(\\w+)").matcher(s);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            assertThat(vars).as("variable %s in '%s'", name, s).containsKey(name);
            m.appendReplacement(b, Matcher.quoteReplacement(vars.get(name)));
        }
        m.appendTail(b);
        return b.toString();
    }

    /** COPY source -> destination, with --chown and the like removed. */
    static Map<String, String> copies() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Instruction i : dockerfile()) {
            if (i.keyword().equals("COPY")) {
                List<String> words =
                        Stream.of(i.arguments().split("\\s+"))
                                .filter(w -> !w.startsWith("--"))
                                .map(w -> substitute(w, args()))
                                .collect(Collectors.toList());
                assertThat(words).as("one source per COPY: %s", i).hasSize(2);
                out.put(words.get(0), words.get(1));
            }
        }
        return out;
    }

    /** The artifacts build-context.sh copies, as reactor paths. */
    static List<String> scriptArtifacts() {
        String script = Project.read(DOCKER.resolve("build-context.sh"));
        Matcher m = Pattern.compile("(?s)artifacts=\\((.*?)\\)").matcher(script);
        assertThat(m.find()).as("artifacts=( ... ) in build-context.sh").isTrue();
        Map<String, String> vars = Map.of("version", Project.version());
        return Stream.of(m.group(1).split("\n"))
                .map(String::trim)
                .filter(l -> !l.isEmpty())
                .map(l -> substitute(l.replace("\"", ""), vars))
                .collect(Collectors.toList());
    }

    @Test
    void baseImageIsThePomsFlinkOnJava17AndNothingElseIsInstalled() {
        List<Instruction> instructions = dockerfile();
        assertThat(instructions.get(0)).isEqualTo(new Instruction("FROM", Project.flinkImage()));
        assertThat(Project.flinkImage()).isEqualTo("flink:" + Project.flinkVersion() + "-java17");
        assertThat(instructions.stream().map(Instruction::keyword))
                .as("no RUN, ADD, ENV or USER: the image is Flink's plus two files")
                .allMatch(k -> List.of("FROM", "ARG", "COPY").contains(k));
        assertThat(args()).containsEntry("PPML_VERSION", Project.version());
    }

    @Test
    void theImageGetsExactlyTheTwoArtifactsWhereTheManifestsLookForThem() {
        Map<String, String> expectedByName = new LinkedHashMap<>();
        expectedArtifacts()
                .forEach(
                        (path, dest) ->
                                expectedByName.put(Path.of(path).getFileName().toString(), dest));
        assertThat(copies()).isEqualTo(expectedByName);
        assertThat(scriptArtifacts())
                .as("build-context.sh takes each COPY source from the Maven build")
                .containsExactlyElementsOf(expectedArtifacts().keySet());
        String jobsJar = Path.of(scriptArtifacts().get(1)).getFileName().toString();
        assertThat(copies().get(jobsJar) + jobsJar).isEqualTo(Project.jobsJarInImage());
    }

    @Test
    void noSecondOssFileSystemIsEnabled() throws IOException {
        assertThat(Project.read(DOCKER.resolve("Dockerfile")))
                .doesNotContainPattern("(?m)^\\s*ENV\\s+ENABLE_BUILT_IN_PLUGINS");
        assertThat(copies().values())
                .filteredOn(dest -> dest.startsWith("/opt/flink/plugins/"))
                .containsExactly("/opt/flink/plugins/ppml-oss/");
        try (Stream<Path> files = Files.walk(Project.k8sDir())) {
            for (Path f :
                    files.filter(Files::isRegularFile)
                            .filter(p -> !p.startsWith(Project.k8sDir().resolve("target")))
                            .filter(p -> !p.startsWith(Project.k8sDir().resolve("src")))
                            // what configures a container: prose (README) may name the variable
                            .filter(p -> !p.toString().endsWith(".md"))
                            .collect(Collectors.toList())) {
                List<String> lines = Files.readAllLines(f);
                for (int n = 0; n < lines.size(); n++) {
                    String line = lines.get(n).trim();
                    if (!line.startsWith("#") && line.contains("ENABLE_BUILT_IN_PLUGINS")) {
                        // the value is on the same line (shell, Dockerfile) or the next (YAML env)
                        String value = line + (n + 1 < lines.size() ? lines.get(n + 1) : "");
                        assertThat(value)
                                .as("%s:%d enables a built-in plugin", f, n + 1)
                                .doesNotContain("oss");
                    }
                }
            }
        }
    }

    @Test
    void buildContextScriptRefusesMissingArtifactsByName(@TempDir Path tmp) throws Exception {
        // the script in a checkout where nothing was built: a copy of it, the recipe and the pom
        Path checkout = tmp.resolve("checkout");
        Path docker = Files.createDirectories(checkout.resolve("k8s/docker"));
        Files.copy(DOCKER.resolve("build-context.sh"), docker.resolve("build-context.sh"));
        Files.copy(DOCKER.resolve("Dockerfile"), docker.resolve("Dockerfile"));
        Files.copy(Project.repoRoot().resolve("pom.xml"), checkout.resolve("pom.xml"));
        Result r = buildContext(docker.resolve("build-context.sh"), tmp.resolve("context"));
        assertThat(r.exit).as(r.output).isEqualTo(1);
        String first = expectedArtifacts().keySet().iterator().next();
        assertThat(r.output)
                .contains(first + " is missing; build it first: ./mvnw -B -DskipTests package");
        assertThat(tmp.resolve("context/Dockerfile")).doesNotExist();
    }

    /**
     * The artifacts exist in the reactor (this module depends on both, so they are built first) and
     * build-context.sh assembles the context from them.
     */
    @Test
    void everyFileTheRecipeCopiesIsProducedByTheBuild(@TempDir Path tmp) throws Exception {
        for (String artifact : expectedArtifacts().keySet()) {
            assertThat(Project.repoRoot().resolve(artifact))
                    .as("built by the reactor before this module's tests")
                    .exists();
        }
        String v = Project.version();
        Path jobs =
                Project.repoRoot().resolve("flink-ppml-jobs/target/flink-ppml-jobs-" + v + ".jar");
        try (JarFile jar = new JarFile(jobs.toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo("dev.ppml.jobs.SimpleQuery");
            assertThat(jar.getEntry("dev/ppml/jobs/SimpleQuery.class")).isNotNull();
            assertThat(jar.getEntry("org/apache/flink/configuration/Configuration.class"))
                    .as("Flink itself is not in the jobs jar")
                    .isNull();
            // the dev overlay's broker sidecar runs this class from the same jar
            assertThat(jar.getEntry(devBrokerMainClass().replace('.', '/') + ".class"))
                    .as("main class of the kbs-dev-broker sidecar")
                    .isNotNull();
            assertThat(jar.getEntry("dev/ppml/broker/DevKeyBroker.class"))
                    .as("the broker the sidecar's 'kbs dev-server' starts")
                    .isNotNull();
            // the SQL Client section of k8s/README.md uses the jobs jar for the ppml format
            ZipEntry factories =
                    jar.getEntry("META-INF/services/org.apache.flink.table.factories.Factory");
            assertThat(factories).isNotNull();
            assertThat(
                            new String(
                                    jar.getInputStream(factories).readAllBytes(),
                                    StandardCharsets.UTF_8))
                    .contains("dev.ppml");
        }
        Path plugin =
                Project.repoRoot()
                        .resolve("flink-ppml-oss-fs/target/flink-ppml-oss-fs-" + v + "-plugin.jar");
        try (JarFile jar = new JarFile(plugin.toFile())) {
            assertThat(jar.getEntry("META-INF/services/org.apache.flink.core.fs.FileSystemFactory"))
                    .isNotNull();
        }
        Path context = tmp.resolve("context");
        Result r = buildContext(context);
        assertThat(r.exit).as(r.output).isZero();
        try (Stream<Path> files = Files.list(context)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrderElementsOf(
                            Stream.concat(copies().keySet().stream(), Stream.of("Dockerfile"))
                                    .collect(Collectors.toList()));
        }
        for (String artifact : expectedArtifacts().keySet()) {
            Path copied = context.resolve(Path.of(artifact).getFileName());
            assertThat(Files.mismatch(copied, Project.repoRoot().resolve(artifact))).isEqualTo(-1L);
        }
    }

    /** The class the dev overlay's sidecar runs: the argument after the -cp class path. */
    static String devBrokerMainClass() {
        JsonNode patch = Yaml.file(Project.k8sDir().resolve("overlays/dev/taskmanager-dev.yaml"));
        for (JsonNode c : patch.at("/spec/taskManager/podTemplate/spec/containers")) {
            if (c.path("name").asText().equals("kbs-dev-broker")) {
                List<String> command = new ArrayList<>();
                c.path("command").forEach(a -> command.add(a.asText()));
                return command.get(command.indexOf("-cp") + 2);
            }
        }
        throw new AssertionError("no kbs-dev-broker container in the dev overlay");
    }

    @Test
    void theDevBrokerSidecarRunsTheCliFromTheJobsJar() {
        assertThat(devBrokerMainClass()).isEqualTo("dev.ppml.jobs.cli.PpmlCli");
    }

    record Result(int exit, String output) {}

    private static Result buildContext(Path context) throws Exception {
        return buildContext(DOCKER.resolve("build-context.sh"), context);
    }

    private static Result buildContext(Path script, Path context) throws Exception {
        Process p =
                new ProcessBuilder("bash", script.toString(), context.toString())
                        .redirectErrorStream(true)
                        .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(1, TimeUnit.MINUTES)).isTrue();
        return new Result(p.exitValue(), out);
    }
}
