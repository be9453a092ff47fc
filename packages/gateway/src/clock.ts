/** The gateway's only source of time: injected so tests and simulations never wait for real time. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
