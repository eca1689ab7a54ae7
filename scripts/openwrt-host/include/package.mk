# Host stand-in for the OpenWrt buildroot's package.mk (see ../README.md). A feed Makefile
# included with TOPDIR=scripts/openwrt-host gets the usual Build/* defaults and a
# BuildPackage that makes `make ipk` prepare, compile, install and pack each package the
# way include/package-ipkg.mk and scripts/ipkg-build do:
#   $(PACKAGE_DIR)/<name>_<version>_<arch>.ipk
# SKIP_BUILD=1 packs what is already in PKG_BUILD_DIR (a build made elsewhere).

PKG_BUILD_DIR ?= $(BUILD_DIR)/$(PKG_NAME)-$(PKG_VERSION)
PKG_INSTALL_DIR ?= $(PKG_BUILD_DIR)/ipkg-install
PACKAGE_DIR ?= $(TOPDIR)/packages
VERSION = $(PKG_VERSION)-r$(PKG_RELEASE)
# File times in the packages (ipkg-build's --mtime): fixed, so equal inputs give equal bytes.
SOURCE_DATE_EPOCH ?= 0
# What the Source: field names: the package's directory inside the feed.
FEED_SOURCE ?= feeds/unknown/$(notdir $(CURDIR))

define Build/Prepare/Default
	mkdir -p $(BUILD_DIR)
	$(if $(PKG_SOURCE),gzip -dc $(DL_DIR)/$(PKG_SOURCE) | $(TAR) -C $(BUILD_DIR) -xf -)
endef

define Build/Prepare
	$(call Build/Prepare/Default)
endef

define Build/Configure
endef

define Build/Compile/Default
	$(MAKE) $(PKG_JOBS) -C $(PKG_BUILD_DIR)/$(MAKE_PATH) $(1)
endef

define Build/Compile
	$(call Build/Compile/Default)
endef

define Build/Install
endef

define Package/Defaults
  SECTION:=opt
  CATEGORY:=Extra packages
  SUBMENU:=
  TITLE:=
  URL:=
  DEPENDS:=
  PKGARCH:=$(ARCH_PACKAGES)
  MAINTAINER:=$(PKG_MAINTAINER)
endef

# DEPENDS as opkg sees it: '+' dropped, '@SYMBOL' (build-time conditions) dropped,
# '+SYMBOL:pkg' kept when CONFIG_SYMBOL is set, '+!SYMBOL:pkg' when it is not; arch
# packages also need the C library (OpenWrt adds libc the same way).
_dep_sym = $(word 1,$(subst :, ,$(1)))
_dep_pkg = $(word 2,$(subst :, ,$(1)))
_dep_one = $(if $(findstring :,$(1)),$(if $(filter !%,$(1)),$(if $(CONFIG_$(patsubst !%,%,$(call _dep_sym,$(1)))),,$(call _dep_pkg,$(1))),$(if $(CONFIG_$(call _dep_sym,$(1))),$(call _dep_pkg,$(1)))),$(1))
resolve_deps = $(strip $(foreach d,$(patsubst +%,%,$(filter-out @% +@%,$(1))),$(call _dep_one,$(d))))
comma := ,
_join = $(subst $(eval) ,$(comma) ,$(strip $(1)))

define BuildPackage/Rules
$(Package/Defaults)
$(Package/$(1))
IDIR_$(1) := $(PKG_BUILD_DIR)/ipkg-$$(PKGARCH)/$(1)
IPK_$(1) := $(PACKAGE_DIR)/$(1)_$(VERSION)_$$(PKGARCH).ipk
DEPENDS_$(1) := $$(call _join,$$(if $$(filter all,$$(PKGARCH)),,libc) $$(call resolve_deps,$$(DEPENDS)))

define CONTROL_$(1)
Package: $(1)
Version: $(VERSION)
$$(if $$(DEPENDS_$(1)),Depends: $$(DEPENDS_$(1))
)Source: $(FEED_SOURCE)
$$(if $(PKG_LICENSE),License: $(PKG_LICENSE)
)$$(if $(PKG_LICENSE_FILES),LicenseFiles: $(PKG_LICENSE_FILES)
)Section: $$(SECTION)
$$(if $$(MAINTAINER),Maintainer: $$(MAINTAINER)
)Architecture: $$(PKGARCH)
Installed-Size: 0
endef

ipk: ipk-$(1)
ipk-$(1): export CONTROL = $$(CONTROL_$(1))
ipk-$(1): export DESCRIPTION = $$(Package/$(1)/description)
ipk-$(1): export CONFFILES = $$(Package/$(1)/conffiles)
ipk-$(1): export SCRIPT_postinst = $$(Package/$(1)/postinst)
ipk-$(1): export SCRIPT_prerm = $$(Package/$(1)/prerm)
ipk-$(1): export SCRIPT_postrm = $$(Package/$(1)/postrm)
ipk-$(1): export SCRIPT_preinst = $$(Package/$(1)/preinst)
ipk-$(1):
	$$(if $$(SKIP_BUILD),,$$(Build/Prepare))
	$$(if $$(SKIP_BUILD),,$$(Build/Configure))
	$$(if $$(SKIP_BUILD),,$$(Build/Compile))
	rm -rf $$(IDIR_$(1))
	mkdir -p $$(IDIR_$(1))/CONTROL $(PACKAGE_DIR)
	$$(call Package/$(1)/install,$$(IDIR_$(1)))
	$(TOPDIR)/ipkg-pack.sh $$(IDIR_$(1)) $$(IPK_$(1)) $(SOURCE_DATE_EPOCH)
endef

define BuildPackage
$(eval $(call BuildPackage/Rules,$(1)))
endef

.DEFAULT_GOAL := ipk
.PHONY: ipk
