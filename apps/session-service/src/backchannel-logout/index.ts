export { BackchannelLogoutModule, DeliveryStoreModule } from './backchannel-logout.module';
export { BackchannelRpcHandlers } from './backchannel.rpc-handlers';
export { DeadLetters } from './dead-letters.service';
export { BACKCHANNEL_GROUP } from './session-ended.consumer';
export { DELIVERY_STORE, type DeliveryStore } from './delivery-store.port';
export { createDeliveryStore, type DeliveryStoreOptions } from './sql/create-delivery-store';
