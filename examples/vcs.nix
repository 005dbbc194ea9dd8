# The manifest annotations the examples set from version control, where it is known: the flake
# passes its revision (self.rev, or self.dirtyRev for a dirty tree); `source` is the repository's
# URL, which a flake does not know of itself. Neither given: no annotations.
{ revision ? null, source ? null }:
(if revision != null then { "org.opencontainers.image.revision" = revision; } else { })
// (if source != null then { "org.opencontainers.image.source" = source; } else { })
