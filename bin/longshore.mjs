#!/usr/bin/env node
import '../dist/longshore.mjs';
