"""The conductor's endpoints for the catalog: flavors, and the image
records (snapshots and shelves fill theirs in as they upload). One short
transaction per call, wire objects out."""
from stratus.common import exception
from stratus.conductor import convert
from stratus.conductor.db import catalog
from stratus.conductor.db.session import core_transaction, transaction
from stratus.common.endpoint import endpoint


class Catalog:
    """Flavors and images."""

    # flavors
    @endpoint(since="1.0")
    def flavor_get_all(self, ctxt, is_public=True, min_ram=None, min_disk=None):
        with transaction() as session:
            return [convert.flavor(row) for row in catalog.flavor_get_all(
                session, is_public, min_ram, min_disk, project_id=ctxt.project_id,
                is_admin=ctxt.is_admin)]

    @endpoint(since="1.0")
    def flavor_get(self, ctxt, flavorid):
        with transaction() as session:
            return convert.flavor(catalog.flavor_get(session, flavorid, _viewer(ctxt)))

    @endpoint(since="1.0")
    def flavor_create(self, ctxt, values):
        with transaction() as session:
            return convert.flavor(catalog.flavor_create(session, values))

    @endpoint(since="1.7")
    def flavor_update(self, ctxt, flavorid, values):
        with transaction() as session:
            return convert.flavor(catalog.flavor_update(session, flavorid, values))

    @endpoint(since="1.0")
    def flavor_delete(self, ctxt, flavorid):
        with transaction() as session:
            catalog.flavor_delete(session, flavorid)

    @endpoint(since="1.7")
    def flavor_extra_specs_update(self, ctxt, flavorid, specs):
        with transaction() as session:
            return convert.flavor(catalog.extra_specs_update(session, flavorid, specs))

    @endpoint(since="1.7")
    def flavor_extra_spec_delete(self, ctxt, flavorid, key):
        with transaction() as session:
            catalog.extra_spec_delete(session, flavorid, key)

    @endpoint(since="1.7")
    def flavor_access_get(self, ctxt, flavorid):
        with transaction() as session:
            return catalog.flavor_access_list(session, flavorid)[1]

    @endpoint(since="1.7")
    def flavor_access_add(self, ctxt, flavorid, project_id):
        with transaction() as session:
            return catalog.flavor_access_add(session, flavorid, project_id)[1]

    @endpoint(since="1.7")
    def flavor_access_remove(self, ctxt, flavorid, project_id):
        with transaction() as session:
            return catalog.flavor_access_remove(session, flavorid, project_id)[1]

    # images
    @endpoint(since="1.0")
    def image_get_all(self, ctxt, filters):
        with transaction() as session:
            return [convert.image(row) for row in catalog.image_get_all(session, filters)]

    @endpoint(since="1.0")
    def image_get(self, ctxt, image_id):
        with transaction() as session:
            return convert.image(catalog.image_get(session, image_id))

    @endpoint(since="1.9")
    def flavor_and_image_get(self, ctxt, flavorid, image_id):
        """A boot's flavor and image in one call: [Flavor, Image, or None
        when there is no such image]; FlavorNotFound as flavor_get."""
        with core_transaction() as session:  # Core statements only
            return list(boot_flavor_and_image(session, ctxt, flavorid, image_id))

    @endpoint(since="1.0")
    def image_create(self, ctxt, values):
        with transaction() as session:
            return convert.image(catalog.image_create(session, values))

    @endpoint(since="1.3")
    def image_update(self, ctxt, image_id, values):
        with transaction() as session:
            return convert.image(catalog.image_update(session, image_id, values))

    @endpoint(since="1.3")
    def image_delete(self, ctxt, image_id):
        with transaction() as session:
            catalog.image_delete(session, image_id)


def boot_flavor_and_image(session, ctxt, flavorid, image_id):
    """(Flavor, Image or None when there is no such image) of a boot, as
    `ctxt` sees them; FlavorNotFound as flavor_get. Core reads."""
    flavor = convert.flavor(catalog.flavor_row(session, flavorid, _viewer(ctxt)))
    try:
        return flavor, convert.image(catalog.image_row(session, image_id))
    except exception.ImageNotFound:
        return flavor, None


def _viewer(ctxt):
    """The project whose access limits what `ctxt` sees; None for admins."""
    return None if ctxt.is_admin else ctxt.project_id
