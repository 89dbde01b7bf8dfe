package io.segstream.contracts.serde;

import io.segstream.testing.Material;
import java.io.IOException;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * For test classes that run against a real registry ({@code @ExtendWith}): hands an {@link
 * ApicurioRegistry} to the tests that take one as a parameter (e.g. of a
 * {@code @BeforeAll} method): started on first use, shared by every test class of the run, stopped
 * when the run ends. When it cannot start, the tests of those classes are skipped, saying why (under
 * {@code CI=true} they fail instead).
 */
public final class ApicurioRegistryExtension implements ExecutionCondition, ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(ApicurioRegistryExtension.class);

  /**
   * Without a registry: disables the tests outside CI, fails them under CI ({@link Material}), saying
   * why. A condition rather than the resolver, whose exceptions JUnit wraps, so it could not skip.
   */
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    Started started = started(context);
    return Material.condition(started.registry() != null,
        "real Apicurio Registry unavailable: " + started.failure());
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == ApicurioRegistry.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return started(context).registry();
  }

  private static Started started(ExtensionContext context) {
    return context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent(Started.class, key -> Started.attempt(), Started.class);
  }

  /** The one start attempt of a test run; the root store closes it when the run ends. */
  private record Started(ApicurioRegistry registry, String failure) implements AutoCloseable {

    static Started attempt() {
      try {
        return new Started(ApicurioRegistry.start(), null);
      } catch (IOException | IllegalStateException e) {
        return new Started(null, e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Started(null, "interrupted while starting it");
      }
    }

    @Override
    public void close() {
      if (registry != null) {
        registry.close();
      }
    }
  }
}
