"""Course packs: run parameterised notebooks, write pack files, bundle and publish them."""
