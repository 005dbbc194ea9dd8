// Importing a destination module registers its transport name.
import './parse.js';
import './registry.js';
import './docker-daemon.js';
import './podman.js';
import './archive-files.js';
