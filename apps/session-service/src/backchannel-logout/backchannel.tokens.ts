/** The dispatcher instance of this process (one per replica). */
export const BACKCHANNEL_DISPATCHER = Symbol('BackchannelDispatcher');
