from rest_framework.routers import DefaultRouter

from grids.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("districts", views.DistrictViewSet, basename="district")
router.register("streets", views.StreetViewSet, basename="street")
router.register("communities", views.CommunityViewSet, basename="community")
router.register("grids", views.GridViewSet, basename="grid")
router.register("components", views.ComponentViewSet, basename="component")

urlpatterns = router.urls
