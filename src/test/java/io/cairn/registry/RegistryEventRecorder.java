package io.cairn.registry;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.transaction.event.TransactionalEventListener;

/** Collects the registry events published in-process, after their transaction commits, as serving would see them. */
@TestConfiguration(proxyBeanMethods = false)
public class RegistryEventRecorder {

    private final List<RegistryEvent> received = new CopyOnWriteArrayList<>();

    @Bean
    RegistryEventRecorder.Listener registryEventListener() {
        return new Listener();
    }

    public List<RegistryEvent> received() {
        return received;
    }

    /** The listener bean; records into the enclosing recorder. */
    public class Listener {
        @TransactionalEventListener
        public void on(RegistryEvent event) {
            received.add(event);
        }
    }
}
