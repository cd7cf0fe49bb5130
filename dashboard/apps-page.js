// The apps list: times shown relative.
import { showRelativeTimes } from "./times.js";

showRelativeTimes(document);
