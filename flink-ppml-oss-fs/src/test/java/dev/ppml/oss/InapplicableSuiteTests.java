package dev.ppml.oss;

import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Skips named test methods that a test class inherits from one of Flink's conformance suites where
 * the suite's expectation does not hold for an object store, each with its reason. Flink's suites
 * declare their test methods package-private, so a subclass elsewhere cannot override them with
 * {@code @Disabled}; this condition does the same from the subclass. A name that is not a test
 * method of the class fails the class, so a renamed suite method cannot be skipped silently.
 */
final class InapplicableSuiteTests implements ExecutionCondition {
    private final Map<String, String> reasons = new LinkedHashMap<>();

    static InapplicableSuiteTests none() {
        return new InapplicableSuiteTests();
    }

    InapplicableSuiteTests skip(String method, String reason) {
        reasons.put(method, reason);
        return this;
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<Method> method = context.getTestMethod();
        if (method.isEmpty()) {
            Class<?> testClass = context.getRequiredTestClass();
            for (String name : reasons.keySet()) {
                if (!declaresTest(testClass, name)) {
                    throw new IllegalStateException(
                            String.format(
                                    "%s skips '%s', but no test method of that name is inherited;"
                                            + " update the skip list to the suite's methods",
                                    testClass.getSimpleName(), name));
                }
            }
            return ConditionEvaluationResult.enabled("skips only named methods");
        }
        String reason = reasons.get(method.get().getName());
        return reason == null
                ? ConditionEvaluationResult.enabled("applies to oss://")
                : ConditionEvaluationResult.disabled(
                        "not applicable to an object store: " + reason);
    }

    private static boolean declaresTest(Class<?> c, String name) {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            for (Method m : k.getDeclaredMethods()) {
                if (m.getName().equals(name)
                        && m.isAnnotationPresent(org.junit.jupiter.api.Test.class)) {
                    return true;
                }
            }
        }
        return false;
    }
}
