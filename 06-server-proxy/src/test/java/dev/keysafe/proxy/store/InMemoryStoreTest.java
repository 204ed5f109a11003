package dev.keysafe.proxy.store;

/** The in-memory store keeps every promise of {@link StoreContract}. */
class InMemoryStoreTest extends StoreContract {

    @Override
    Store store() {
        return new InMemoryStore();
    }

    @Override
    int racingRounds() {
        return 5_000;
    }
}
