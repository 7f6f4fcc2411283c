"""Model packages: the store that lists, installs and removes them (:mod:`.store`), the
Argos package index (:mod:`.index`), and package archives unpacked defensively
(:mod:`.unzip`)."""

from .index import IndexEntry, IndexListing, PackageIndex, parse_index
from .store import MAX_DOWNLOAD_BYTES, ModelStore, package_folder_name
from .unzip import MAX_MEMBERS, MAX_RATIO, MAX_UNPACKED_BYTES, safe_unzip

__all__ = [
    "ModelStore",
    "PackageIndex",
    "IndexEntry",
    "IndexListing",
    "safe_unzip",
    "parse_index",
    "package_folder_name",
    "MAX_UNPACKED_BYTES",
    "MAX_DOWNLOAD_BYTES",
    "MAX_MEMBERS",
    "MAX_RATIO",
]
