package dev.ppml.attestation.verify;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The outcome of verification or policy evaluation: every check with whether it passed and a
 * sentence saying what was expected and found. {@link #passed()} only when all passed.
 */
public final class VerificationReport {

    /** One named check. */
    public static final class Check {
        public final String name;
        public final boolean passed;
        public final String message;

        Check(String name, boolean passed, String message) {
            this.name = name;
            this.passed = passed;
            this.message = message;
        }

        @Override
        public String toString() {
            return (passed ? "ok   " : "FAIL ") + name + ": " + message;
        }
    }

    private final List<Check> checks = new ArrayList<>();

    /** Records a check; returns whether it passed. */
    public boolean check(String name, boolean passed, String message) {
        checks.add(new Check(name, passed, message));
        return passed;
    }

    public void addAll(VerificationReport other) {
        checks.addAll(other.checks);
    }

    public List<Check> checks() {
        return Collections.unmodifiableList(checks);
    }

    public boolean passed() {
        return !checks.isEmpty() && checks.stream().allMatch(c -> c.passed);
    }

    /** The checks that failed, as sentences. */
    public List<String> failures() {
        return checks.stream()
                .filter(c -> !c.passed)
                .map(c -> c.name + ": " + c.message)
                .collect(Collectors.toList());
    }

    @Override
    public String toString() {
        return checks.stream().map(Check::toString).collect(Collectors.joining("\n"));
    }
}
