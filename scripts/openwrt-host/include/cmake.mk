# Host stand-in for cmake.mk: where the build tree is. Packages that use it are packaged
# from a build made elsewhere (scripts/package.mjs --tjs), never compiled here.
CMAKE_BINARY_DIR = $(PKG_BUILD_DIR)$(if $(CMAKE_BINARY_SUBDIR),/$(CMAKE_BINARY_SUBDIR))
CMAKE_OPTIONS ?=
define Build/Compile/Default
	@echo "cmake.mk (host): $(PKG_NAME) is not compiled here" >&2; false
endef
