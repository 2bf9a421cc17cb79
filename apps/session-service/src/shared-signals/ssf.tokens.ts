/** Nest injection tokens of the transmitter's parts. */
export const SET_DISPATCHER = Symbol('SetDispatcher');
export const AUTHORIZATION_BOX = Symbol('AuthorizationBox');
export const SET_FAN_OUT = Symbol('SetFanOut');
export const POLL_WAKE_UPS = Symbol('PollWakeUps');
