package io.cairn.features.online;

import io.cairn.features.FeatureDefinitions.FeatureViewChanged;
import io.cairn.platform.error.CairnException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionPhase;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Removes a deleted view's online values once the deletion has committed. Best effort: keys carry the view's random
 * online key, so values left behind (Redis was down) can never be read by a view defined again under the same name;
 * they only take space.
 */
@Component
class OnlineCleanup {

    private static final Logger log = LoggerFactory.getLogger(OnlineCleanup.class);

    private final RedisOnlineStore store;

    OnlineCleanup(RedisOnlineStore store) {
        this.store = store;
    }

    @TransactionalEventListener(phase = TransactionPhase.AFTER_COMMIT, fallbackExecution = true)
    void deleted(FeatureViewChanged event) {
        if (!event.deleted()) {
            return;
        }
        try {
            long removed = store.deleteView(event.onlineKey());
            log.info("Removed {} online keys of deleted feature view {}", removed, event.name());
        } catch (CairnException e) {
            log.warn("Could not remove the online keys of deleted feature view {} (they are unreachable and only take "
                    + "space): {}", event.name(), e.getMessage());
        }
    }
}
