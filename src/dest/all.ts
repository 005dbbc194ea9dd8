// Importing a destination module registers its transport name.
import './parse.js';
