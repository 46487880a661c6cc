import { faultSoak } from "./Faults.js"

faultSoak(1)
