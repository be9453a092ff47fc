export { b2bNurture } from "./b2b-nurture.js";
export { carDealer } from "./car-dealer.js";
export { course89 } from "./course-8-9.js";
export { reactivation } from "./reactivation.js";
