package io.cairn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModule;
import org.springframework.modulith.core.ApplicationModules;

class ModuleBoundariesTest {

    private final ApplicationModules modules = ApplicationModules.of(CairnApplication.class);

    @Test
    void everyCapabilityIsAModule() {
        assertThat(modules.stream().map(ApplicationModule::getIdentifier).map(Object::toString))
                .contains("platform", "tracking", "artifacts", "registry", "features", "serving", "monitoring", "web",
                        "cli");
    }

    @Test
    void modulesOnlyUseEachOthersPublicApiAndHaveNoCycles() {
        modules.verify();
    }

    @Test
    void trackingUsesArtifactsButArtifactsKnowNothingOfTracking() {
        ApplicationModule tracking = modules.getModuleByName("tracking").orElseThrow();
        ApplicationModule artifacts = modules.getModuleByName("artifacts").orElseThrow();
        // verify() only catches cycles; this keeps the direction fixed before anything could point back.
        assertThat(tracking.getDirectDependencies(modules).containsModuleNamed("artifacts")).isTrue();
        assertThat(artifacts.getDirectDependencies(modules).containsModuleNamed("tracking")).isFalse();
    }

    @Test
    void theCommandLineTalksToTheServerOnlyOverHttp() {
        // The CLI runs without Spring; any server bean it reached would be null there.
        ApplicationModule cli = modules.getModuleByName("cli").orElseThrow();
        assertThat(cli.getDirectDependencies(modules).stream()).isEmpty();
    }
}
